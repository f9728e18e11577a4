// BullMQ 5, set up for speed as its docs advise: one `Worker` per process with the scenario's
// concurrency, `addBulk` for batches, finished jobs removed (`removeOnComplete`,
// `removeOnFail`), the connection option BullMQ requires for workers (`maxRetriesPerRequest:
// null`), and a fresh key prefix per run.
import { Queue, Worker } from 'bullmq';
import { deleteKeys, freshPrefix } from '../lib/redis.js';

const NAME = 'bench';
const JOB = 'noop';
const OPTS = { removeOnComplete: true, removeOnFail: true };

const connection = (url) => {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    db: Number(u.pathname.slice(1) || 0),
    maxRetriesPerRequest: null,
  };
};

/** BullMQ on the benchmark's Redis, one fresh prefix per run. */
export const bullmq = {
  name: 'bullmq',
  engine: 'redis',
  settings: 'Worker(concurrency), addBulk for batches, removeOnComplete/removeOnFail, one fresh prefix per run',

  create: (ctx) => ({ url: ctx.redisUrl, prefix: freshPrefix('bullmq') }),

  destroy: (spec) => deleteKeys(spec.url, `${spec.prefix}:*`),

  async producer(spec) {
    const queue = new Queue(NAME, { connection: connection(spec.url), prefix: spec.prefix });
    await queue.waitUntilReady();
    return {
      one: (data) => queue.add(JOB, data, OPTS),
      many: (list) => queue.addBulk(list.map((data) => ({ name: JOB, data, opts: OPTS }))),
      async pending() {
        const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        return Object.values(c).reduce((a, b) => a + b, 0);
      },
      close: () => queue.close(),
    };
  },

  async consumer(spec, { concurrency, onJob }) {
    let worker = null;
    return {
      async start() {
        worker = new Worker(NAME, async (job) => onJob(job.data), {
          connection: connection(spec.url),
          prefix: spec.prefix,
          concurrency,
        });
        worker.on('error', (err) => console.error('bullmq worker error:', err.message));
        await worker.waitUntilReady();
      },
      async stop() {
        await worker?.close();
        worker = null;
      },
      close: async () => {
        await worker?.close();
      },
    };
  },
};
