// graphile-worker 0.17, tuned the way its authors document for throughput
// (https://worker.graphile.org/docs/performance): a local queue of 500 jobs fetched in one
// query, job completions and failures batched (`completeJobBatchDelay: 0`,
// `failJobBatchDelay: 0`), a pool of `max(10, concurrency + 2)` as its docs recommend.
import pg from 'pg';
import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import { dropSchema, freshSchema, poolSize, smallPool } from '../lib/pg.js';

const TASK = 'noop';
/** Jobs the local queue fetches and locks at once (the value of the documented perf setup). */
const LOCAL_QUEUE_SIZE = 500;
const silent = new Logger(() => () => {});

/** The worker settings of its performance page, with the scenario's concurrency. */
function preset(concurrency) {
  return {
    worker: {
      concurrentJobs: concurrency,
      maxPoolSize: poolSize(concurrency),
      localQueue: { size: LOCAL_QUEUE_SIZE },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
    },
  };
}

/** graphile-worker on the benchmark database, one fresh schema per run. */
export const graphileWorker = {
  name: 'graphile-worker',
  engine: 'postgres',
  settings: `localQueue.size ${LOCAL_QUEUE_SIZE}, completeJobBatchDelay 0, failJobBatchDelay 0, pool max(10, min(concurrency+2, 40))`,

  async create(ctx) {
    const spec = { url: ctx.pgUrl, schema: freshSchema('graphile') };
    const utils = await makeWorkerUtils({ connectionString: spec.url, schema: spec.schema, logger: silent });
    try {
      await utils.migrate();
    } finally {
      await utils.release();
    }
    return spec;
  },

  destroy: (spec) => dropSchema(spec.url, spec.schema),

  async producer(spec) {
    const utils = await makeWorkerUtils({ connectionString: spec.url, schema: spec.schema, logger: silent });
    const pool = smallPool(spec.url);
    return {
      one: (payload) => utils.addJob(TASK, payload),
      many: (payloads) => utils.addJobs(payloads.map((payload) => ({ identifier: TASK, payload }))),
      async pending() {
        const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${spec.schema}"._private_jobs`);
        return rows[0].n;
      },
      async close() {
        await utils.release();
        await pool.end();
      },
    };
  },

  async consumer(spec, { concurrency, onJob }) {
    const pgPool = new pg.Pool({ connectionString: spec.url, max: poolSize(concurrency) });
    // The error handlers graphile-worker asks for, so an idle connection's error is reported, not thrown.
    pgPool.on('error', (err) => console.error('graphile-worker pool error:', err.message));
    pgPool.on('connect', (client) =>
      client.on('error', (err) => console.error('graphile-worker client error:', err.message)),
    );
    let runner = null;
    return {
      async start() {
        runner = await run({
          pgPool,
          schema: spec.schema,
          concurrency,
          noHandleSignals: true,
          logger: silent,
          taskList: {
            [TASK]: async (payload) => {
              onJob(payload);
            },
          },
          preset: preset(concurrency),
        });
      },
      async stop() {
        await runner?.stop();
        runner = null;
      },
      close: () => pgPool.end(),
    };
  },
};
