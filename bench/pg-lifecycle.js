// An experiment, not a comparison of systems: what PostgreSQL itself spends per job on three
// ways of storing a job's life, with bare SQL (no events, no NOTIFY, no JSON out), one
// connection, claims of 500 and completions of 100 as a worker makes them:
//
// - keep:   Gantry's schema (its migrations); the completion updates the row to `completed`;
// - delete: the same schema, but the completion deletes the row, as graphile-worker does;
// - narrow: the waiting and running jobs in a narrow table of their own, so the wide row is
//           only ever updated in place (HOT: no column of an index of it changes);
// - archive: the completion deletes the rows and stores them as ONE row per completion (the
//           jobs as a JSON array, their ids in an array with a GIN index to find a job by id).
//
// It reads the server backend's CPU time from /proc, so the server must run on this machine.
// Usage: node bench/pg-lifecycle.js [--jobs 30000] [--repeat 2] [--pg-url postgres://…]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureDatabase, freshSchema } from './lib/pg.js';

const CLAIM = 500;
const COMPLETE = 100;
const WAITING = `('queued', 'scheduled', 'retrying')`;

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '30000' },
    repeat: { type: 'string', default: '2' },
    'pg-url': {
      type: 'string',
      default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/gantry_bench',
    },
  },
});
const jobs = Number(args.jobs);
const url = args['pg-url'];

/** Inserts `jobs` queued no-op jobs into `s.jobs` (Gantry's columns). */
const fill = (s) => `INSERT INTO ${s}.jobs (id, type, queue, payload, state, max_attempts, backoff, run_at, created_at)
  SELECT lpad(g::text, 36, '0'), 'noop', 'q', jsonb_build_object('i', g), 'queued', 3,
    '{"type":"exponential"}', now(), now() FROM generate_series(1, ${jobs}) g`;

const claimSql = (s, table) => `SELECT id FROM ${s}.${table} WHERE queue = 'q' AND state IN ${WAITING}
  ORDER BY priority DESC, run_at, id LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED`;
const takeWide = (s, from) => `UPDATE ${s}.jobs j SET state = 'running', attempts = j.attempts + 1, worker_id = 'w',
  lease_until = now() + interval '30 s', started_at = now() ${from} RETURNING j.id, j.payload`;

/** The variants: how each sets up its schema (`s` exists, Gantry's migrations applied), claims and completes. */
const VARIANTS = {
  keep: (s) => ({
    setup: [fill(s)],
    claim: takeWide(s, `WHERE j.id IN (${claimSql(s, 'jobs')})`),
    complete: `UPDATE ${s}.jobs j SET state = 'completed', finished_at = now(), lease_until = NULL
      FROM unnest($1::text[]) u(id) WHERE j.id = u.id AND j.state = 'running' AND j.worker_id = 'w'`,
  }),
  delete: (s) => ({
    setup: [fill(s)],
    claim: takeWide(s, `WHERE j.id IN (${claimSql(s, 'jobs')})`),
    complete: `DELETE FROM ${s}.jobs j USING unnest($1::text[]) u(id)
      WHERE j.id = u.id AND j.state = 'running' AND j.worker_id = 'w'`,
  }),
  archive: (s) => ({
    setup: [
      fill(s),
      `CREATE TABLE ${s}.archive (seq bigserial PRIMARY KEY, ids text[] NOT NULL, jobs jsonb NOT NULL)`,
      `CREATE INDEX ON ${s}.archive USING gin (ids)`,
    ],
    claim: takeWide(s, `WHERE j.id IN (${claimSql(s, 'jobs')})`),
    complete: `WITH d AS (DELETE FROM ${s}.jobs j USING unnest($1::text[]) u(id)
        WHERE j.id = u.id AND j.state = 'running' AND j.worker_id = 'w' RETURNING j.*)
      INSERT INTO ${s}.archive (ids, jobs)
      SELECT array_agg(d.id), jsonb_agg(to_jsonb(d) || jsonb_build_object('state', 'completed', 'finished_at', now()))
      FROM d HAVING count(*) > 0`,
  }),
  narrow: (s) => ({
    setup: [
      // Only the primary key and immutable columns stay indexed on the wide table.
      ...['jobs_claim', 'jobs_unique_live', 'jobs_running', 'jobs_due', 'jobs_deadline', 'jobs_finished'].map(
        (i) => `DROP INDEX ${s}.${i}`,
      ),
      `ALTER TABLE ${s}.jobs SET (fillfactor = 70)`,
      `CREATE TABLE ${s}.live (id text COLLATE "C" PRIMARY KEY, queue text NOT NULL, priority int NOT NULL,
        run_at timestamptz NOT NULL, state text NOT NULL, worker_id text, lease_until timestamptz)`,
      `CREATE INDEX ON ${s}.live (queue, priority DESC, run_at, id) WHERE state IN ${WAITING}`,
      `CREATE INDEX ON ${s}.live (queue, lease_until) WHERE state = 'running'`,
      fill(s),
      `INSERT INTO ${s}.live SELECT id, queue, priority, run_at, state FROM ${s}.jobs`,
    ],
    claim: `WITH c AS (UPDATE ${s}.live l SET state = 'running', worker_id = 'w', lease_until = now() + interval '30 s'
        WHERE l.id IN (${claimSql(s, 'live')}) RETURNING l.id)
      ${takeWide(s, 'FROM c WHERE j.id = c.id')}`,
    complete: `WITH d AS (DELETE FROM ${s}.live l USING unnest($1::text[]) u(id)
        WHERE l.id = u.id AND l.state = 'running' AND l.worker_id = 'w' RETURNING l.id)
      UPDATE ${s}.jobs j SET state = 'completed', finished_at = now(), lease_until = NULL FROM d WHERE j.id = d.id`,
  }),
};

/** CPU time (user + system) of server process `pid` so far, in µs. */
function backendCpuUs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function measure(name) {
  const { Client } = await import('gantry');
  const s = freshSchema(`life_${name}`);
  const gantry = await Client.connect({ url, namespace: s });
  await gantry.close();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const v = VARIANTS[name](s);
    for (const q of v.setup) await db.query(q);
    await db.query(`VACUUM ANALYZE ${s}.jobs`);
    const pid = (await db.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const [cpu0, t0] = [backendCpuUs(pid), performance.now()];
    let done = 0;
    for (;;) {
      const { rows } = await db.query({ name: `${name}_claim`, text: v.claim });
      if (rows.length === 0) break;
      for (let i = 0; i < rows.length; i += COMPLETE) {
        const ids = rows.slice(i, i + COMPLETE).map((r) => r.id);
        await db.query({ name: `${name}_complete`, text: v.complete, values: [ids] });
      }
      done += rows.length;
    }
    const [cpu, ms] = [backendCpuUs(pid) - cpu0, performance.now() - t0];
    return { done, usPerJob: cpu / done, jobsPerSec: (done / ms) * 1000 };
  } finally {
    await db.query(`DROP SCHEMA ${s} CASCADE`).catch(() => {});
    await db.end();
  }
}

await ensureDatabase(url);
const results = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
for (let r = 0; r < Number(args.repeat); r++)
  for (const name of Object.keys(VARIANTS)) results[name].push(await measure(name));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `job lifecycle on bare SQL: ${jobs} jobs, claims of ${CLAIM}, completions of ${COMPLETE}, median of ${args.repeat}`,
);
console.log('variant  server CPU µs/job  jobs/s (one connection)  vs keep');
const keep = median(results.keep.map((x) => x.usPerJob));
for (const [name, runs] of Object.entries(results)) {
  const us = median(runs.map((x) => x.usPerJob));
  const rate = median(runs.map((x) => x.jobsPerSec));
  console.log(
    `${name.padEnd(8)} ${us.toFixed(1).padStart(17)}  ${Math.round(rate).toLocaleString('en-US').padStart(23)}  ${(us / keep).toFixed(2)}x`,
  );
}
