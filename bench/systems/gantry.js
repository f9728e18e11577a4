// Gantry itself, on PostgreSQL, Redis, SQLite or NATS JetStream, through the public API built in dist/: `Client` to
// enqueue and `Worker` to run no-op handlers. Nothing is tuned: the worker's defaults are kept,
// only its concurrency is set by the scenario. `pg` is loaded only for PostgreSQL, so a SQLite
// worker process holds no more than Gantry on SQLite does.
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const QUEUE = 'bench';
const TYPE = 'noop';
const LIVE = ['queued', 'scheduled', 'running', 'retrying'];

async function gantry() {
  return import('gantry');
}

async function workerClass() {
  const mod = await gantry();
  if (mod.Worker) return mod.Worker;
  return (await import('../../dist/worker/worker.js')).Worker;
}

function makeSystem(engine, { deleteOnComplete = false } = {}) {
  // Every job of the run enqueued with this option (graphile-worker's way: no finished row).
  const opts = deleteOnComplete ? { deleteOnComplete: true } : {};
  return {
    name: deleteOnComplete ? 'gantry-delete' : 'gantry',
    engine,
    settings: deleteOnComplete
      ? 'as gantry, every job enqueued with deleteOnComplete (deleted when it completes, as graphile-worker does)'
      : 'defaults; concurrency from the scenario',

    async create(ctx) {
      if (engine === 'redis') {
        const { freshPrefix } = await import('../lib/redis.js');
        return { url: ctx.redisUrl, namespace: freshPrefix('gantry'), redisUrl: ctx.redisUrl };
      }
      if (engine === 'nats') {
        const { freshPrefix } = await import('../lib/nats.js');
        const prefix = freshPrefix('gantry');
        const spec = { url: `${ctx.natsUrl}?prefix=${prefix}`, natsUrl: ctx.natsUrl, prefix };
        const { Client } = await gantry();
        await (await Client.connect({ url: spec.url })).close();
        return spec;
      }
      if (engine === 'sqlite') {
        const dir = mkdtempSync(join(ctx.tmpDir ?? tmpdir(), 'gantry-'));
        return { url: `sqlite:${join(dir, 'gantry.db')}`, dir };
      }
      const { freshSchema } = await import('../lib/pg.js');
      const spec = { url: ctx.pgUrl, namespace: freshSchema('gantry'), pgUrl: ctx.pgUrl };
      const { Client } = await gantry();
      const client = await Client.connect({ url: spec.url, namespace: spec.namespace });
      await client.close();
      return spec;
    },

    async destroy(spec) {
      if (spec.dir) rmSync(spec.dir, { recursive: true, force: true });
      else if (spec.prefix) await (await import('../lib/nats.js')).dropPrefix(spec.natsUrl, spec.prefix);
      else if (spec.redisUrl)
        await (await import('../lib/redis.js')).deleteKeys(spec.redisUrl, `{${spec.namespace}}:*`);
      else await (await import('../lib/pg.js')).dropSchema(spec.pgUrl, spec.namespace);
    },

    async producer(spec) {
      const { Client } = await gantry();
      const client = await Client.connect({ url: spec.url, ...(spec.namespace ? { namespace: spec.namespace } : {}) });
      return {
        one: (payload) => client.enqueue(TYPE, payload, { queue: QUEUE, ...opts }),
        many: (payloads) =>
          client.enqueueMany(payloads.map((payload) => ({ type: TYPE, queue: QUEUE, payload, ...opts }))),
        async pending() {
          const counts = (await client.counts([QUEUE]))[QUEUE] ?? {};
          return LIVE.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
        },
        close: () => client.close(),
      };
    },

    async consumer(spec, { concurrency, onJob }) {
      const { openBackend } = await import('gantry/backend');
      const Worker = await workerClass();
      const backend = await openBackend({ url: spec.url, ...(spec.namespace ? { namespace: spec.namespace } : {}) });
      let worker = null;
      return {
        async start() {
          worker = new Worker({
            backend,
            queues: [QUEUE],
            concurrency,
            handlers: {
              [TYPE]: async (job) => {
                onJob(job.payload);
              },
            },
          });
          worker.on?.('error', ({ error, during }) => console.error(`gantry worker error during ${during}:`, error));
          await worker.start();
        },
        async stop() {
          await worker?.stop();
          worker = null;
        },
        close: () => backend.close(),
      };
    },
  };
}

/** Gantry on PostgreSQL: one fresh schema per run. */
export const gantryPostgres = makeSystem('postgres');
/** The same, every job deleted when it completes. */
export const gantryPostgresDelete = makeSystem('postgres', { deleteOnComplete: true });
/** Gantry on Redis: one fresh key prefix per run. */
export const gantryRedis = makeSystem('redis');
/** The same, every job deleted when it completes. */
export const gantryRedisDelete = makeSystem('redis', { deleteOnComplete: true });
/** Gantry on NATS JetStream: one fresh prefix (streams and buckets) per run. */
export const gantryNats = makeSystem('nats');
/** The same, every job deleted when it completes. */
export const gantryNatsDelete = makeSystem('nats', { deleteOnComplete: true });
/** Gantry on SQLite: one fresh file per run. */
export const gantrySqlite = makeSystem('sqlite');
/** The same, every job deleted when it completes. */
export const gantrySqliteDelete = makeSystem('sqlite', { deleteOnComplete: true });
