// pg-boss 10, set up for speed as its docs describe: `work()` polls at the documented minimum
// interval (`pollingIntervalSeconds: 0.5`) and fetches `batchSize` jobs per poll; pg-boss 10
// has no per-worker concurrency option, so concurrency N is N `work()` loops (its documented
// way), each running its batch's no-op handlers one after another (at most N at once).
import PgBoss from 'pg-boss';
import { dropSchema, freshSchema, poolSize, smallPool } from '../lib/pg.js';

const NAME = 'noop';
/** Jobs fetched per poll of one `work()` loop. */
export const PGBOSS_BATCH = Number(process.env.BENCH_PGBOSS_BATCH ?? 100);
/** pg-boss's documented minimum polling interval. */
const POLL_S = 0.5;

function boss(spec, extra = {}) {
  const b = new PgBoss({ connectionString: spec.url, schema: spec.schema, ...extra });
  b.on('error', (err) => console.error('pg-boss error:', err.message));
  return b;
}

/** pg-boss on the benchmark database, one fresh schema per run. */
export const pgBoss = {
  name: 'pg-boss',
  engine: 'postgres',
  settings: `work() x concurrency, batchSize ${PGBOSS_BATCH}, pollingIntervalSeconds ${POLL_S}, pool max(10, min(concurrency+2, 40))`,

  async create(ctx) {
    const spec = { url: ctx.pgUrl, schema: freshSchema('pgboss') };
    const b = boss(spec, { supervise: false, schedule: false });
    await b.start();
    await b.createQueue(NAME);
    await b.stop({ graceful: false, wait: true });
    return spec;
  },

  destroy: (spec) => dropSchema(spec.url, spec.schema),

  async producer(spec) {
    const b = boss(spec, { supervise: false, schedule: false });
    await b.start();
    const pool = smallPool(spec.url);
    return {
      one: (payload) => b.send(NAME, payload),
      many: (payloads) => b.insert(payloads.map((data) => ({ name: NAME, data }))),
      async pending() {
        const { rows } = await pool.query(
          `SELECT count(*)::int AS n FROM "${spec.schema}".job WHERE name = $1 AND state IN ('created', 'retry', 'active')`,
          [NAME],
        );
        return rows[0].n;
      },
      async close() {
        await b.stop({ graceful: false, wait: true });
        await pool.end();
      },
    };
  },

  async consumer(spec, { concurrency, onJob }) {
    const b = boss(spec, { max: poolSize(concurrency) });
    await b.start();
    const options = { batchSize: PGBOSS_BATCH, pollingIntervalSeconds: POLL_S };
    const handler = async (jobs) => {
      for (const job of jobs) await noop(job.data, onJob);
    };
    return {
      async start() {
        for (let i = 0; i < concurrency; i++) await b.work(NAME, options, handler);
      },
      async stop() {
        await b.offWork(NAME);
      },
      close: () => b.stop({ graceful: false, wait: true }),
    };
  },
};

async function noop(data, onJob) {
  onJob(data);
}
