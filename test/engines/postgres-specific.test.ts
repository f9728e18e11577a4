/**
 * What only the PostgreSQL engine promises beyond the conformance suite: transactional
 * enqueue, LISTEN/NOTIFY wake-ups across backends, reconnect of the listener, migrations
 * under concurrency and version checks, cluster-wide caps under concurrent claims.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { ManualClock, systemClock, type Clock } from '../../src/core/clock.js';
import { EngineUnavailableError, MigrationError, UniqueConflictError } from '../../src/core/errors.js';
import { completedResult, jobEvent, type GantryEvent } from '../../src/core/events.js';
import { validateEnqueue, type EnqueueRequest } from '../../src/core/validate.js';
import { parseTarget } from '../../src/engines/postgres/connection.js';
import { PostgresBackend, openPostgresBackend } from '../../src/engines/postgres/index.js';
import { loadMigrations } from '../../src/engines/postgres/migrate.js';
import { jobStatements } from '../../src/engines/postgres/statements-jobs.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';

const available = await engineAvailable('postgres');
const admin = new pg.Pool({ connectionString: TEST_URLS.postgres, max: 4 });
const schemas: string[] = [];
const opened: Backend[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
  for (const s of schemas.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
});
afterAll(() => admin.end());

function freshSchema(): string {
  const s = `t_${randomBytes(6).toString('hex')}`;
  schemas.push(s);
  return s;
}

async function open(schema: string, clock: Clock = new ManualClock(), migrate = true): Promise<PostgresBackend> {
  const b = (await openPostgresBackend({
    url: TEST_URLS.postgres,
    clock,
    namespace: schema,
    migrate,
  })) as PostgresBackend;
  opened.push(b);
  return b;
}

const job = (b: Backend, req: Partial<EnqueueRequest> = {}) => validateEnqueue({ type: 't', ...req }, b.clock.now());

/** Waits (real time, bounded) until `fn` is truthy. */
async function until(fn: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('postgres URL', () => {
  it('takes schema, pool size and worker commit mode from the URL and passes the rest to pg', () => {
    const t = parseTarget('postgresql://u@h:5433/db?schema=jobs&max=4&worker_commit=sync&sslmode=disable');
    expect(t).toEqual({
      connectionString: 'postgresql://u@h:5433/db?sslmode=disable',
      schema: 'jobs',
      poolMax: 4,
      workerCommit: 'sync',
    });
    expect(parseTarget('postgres://h/db').workerCommit).toBe('async');
    expect(parseTarget('postgres://h/db?schema=a', 'b').schema).toBe('b');
    expect(() => parseTarget('postgres://h/db?worker_commit=maybe')).toThrow(/worker_commit/);
    expect(() => parseTarget('postgres://h/db', 'Bad-Name')).toThrow(/schema/);
  });
});

describe.runIf(available)('postgres engine', () => {
  it('enqueues inside the caller transaction: commit keeps the job, rollback leaves none', async () => {
    const b = await open(freshSchema());
    const client = await admin.connect();
    try {
      await client.query('BEGIN');
      const [kept] = await b.jobsEnqueue({ jobs: [job(b)], tx: client });
      expect(await b.jobGet({ id: kept!.job.id })).toBeNull(); // not visible before COMMIT
      await client.query('COMMIT');
      expect((await b.jobGet({ id: kept!.job.id }))?.state).toBe('queued');

      await client.query('BEGIN');
      const [dropped] = await b.jobsEnqueue({ jobs: [job(b)], tx: client });
      await client.query('ROLLBACK');
      expect(await b.jobGet({ id: dropped!.job.id })).toBeNull();
    } finally {
      client.release();
    }
    expect(b.capabilities.transactionalEnqueue).toBe(true);
  });

  it('wakes a waiting worker through NOTIFY, not a poll, and only at commit', async () => {
    const schema = freshSchema();
    const clock = new ManualClock(); // never advanced: only a wake-up can end the wait
    const worker = await open(schema, clock);
    const producer = await open(schema, clock);
    let woke = false;
    const waiting = worker.workAwait({ queues: ['mail'], timeoutMs: 3_600_000 }).then(() => (woke = true));
    const tx = await admin.connect();
    try {
      await tx.query('BEGIN');
      await producer.jobsEnqueue({ jobs: [job(producer, { queue: 'mail' })], tx });
      await new Promise((r) => setTimeout(r, 100));
      expect(woke).toBe(false);
      const t0 = Date.now();
      await tx.query('COMMIT');
      await waiting;
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      tx.release();
    }
    // Another queue's job does not wake a waiter of 'mail'.
    let other = false;
    void worker.workAwait({ queues: ['mail'], timeoutMs: 3_600_000 }).then(() => (other = true));
    await producer.jobsEnqueue({ jobs: [job(producer, { queue: 'sms' })] });
    await new Promise((r) => setTimeout(r, 150));
    expect(other).toBe(false);
  });

  it('re-establishes a terminated LISTEN connection, wakes waiters, and keeps waking after', async () => {
    const schema = freshSchema();
    const worker = await open(schema, systemClock);
    const producer = await open(schema, systemClock);
    const pid = worker.listener.backendPid;
    expect(pid).toBeTypeOf('number');
    const during = worker.workAwait({ queues: ['q'], timeoutMs: 3_600_000 });
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await during; // the reconnect wakes it so its poll finds anything missed
    await until(() => worker.listener.connected && worker.listener.backendPid !== pid, 'listener reconnect');
    const after = worker.workAwait({ queues: ['q'], timeoutMs: 3_600_000 });
    await producer.jobsEnqueue({ jobs: [job(producer, { queue: 'q' })] });
    await after;
  });

  it('delivers events across backends, including a batch of 1000 (one NOTIFY each)', async () => {
    const schema = freshSchema();
    const a = await open(schema);
    const b = await open(schema);
    const seen: GantryEvent[] = [];
    const stop = await a.eventsSubscribe({ filter: { types: ['job.enqueued'] }, onEvent: (e) => seen.push(e) });
    await b.jobsEnqueue({ jobs: Array.from({ length: 1000 }, () => job(b)) });
    await until(() => seen.length === 1000, '1000 events');
    expect(new Set(seen.map((e) => e.seq)).size).toBe(1000);
    await stop();
  });

  it('keeps events small enough for NOTIFY when an error message is huge', async () => {
    const b = await open(freshSchema());
    const [out] = await b.jobsEnqueue({ jobs: [job(b, { maxAttempts: 1 })] });
    const j = out!.job;
    const [claimed] = await b.jobsClaim({ workerId: 'w', queues: ['default'], limit: 1, leaseMs: 1000 });
    const message = 'x'.repeat(20_000);
    const at = new Date(b.clock.now());
    const { lost } = await b.jobsFail({
      items: [
        { id: j.id, workerId: 'w', attempt: claimed!.attempts, error: { message, attempt: 1, at }, retryAt: null },
      ],
    });
    expect(lost).toEqual([]);
    const stored = await b.jobGet({ id: j.id });
    expect(stored?.errors[0]?.message).toHaveLength(20_000);
  });

  it('never claims a job twice under concurrent claimers on several backends', async () => {
    const schema = freshSchema();
    const backends = await Promise.all([1, 2, 3, 4].map(() => open(schema)));
    await backends[0]!.jobsEnqueue({ jobs: Array.from({ length: 400 }, () => job(backends[0]!)) });
    const claimed: string[] = [];
    await Promise.all(
      backends.map(async (b, i) => {
        for (;;) {
          const jobs = await b.jobsClaim({ workerId: `w${i}`, queues: ['default'], limit: 7, leaseMs: 60_000 });
          if (jobs.length === 0) return;
          claimed.push(...jobs.map((j) => j.id));
        }
      }),
    );
    expect(claimed).toHaveLength(400);
    expect(new Set(claimed).size).toBe(400);
  });

  it('holds a queue concurrency cap across backends claiming at once', async () => {
    const schema = freshSchema();
    const backends = await Promise.all([1, 2, 3].map(() => open(schema)));
    await backends[0]!.queueUpdate({ queue: 'capped', settings: { concurrency: 3 } });
    await backends[0]!.jobsEnqueue({ jobs: Array.from({ length: 20 }, () => job(backends[0]!, { queue: 'capped' })) });
    const got = await Promise.all(
      backends.flatMap((b, i) =>
        [0, 1, 2].map(() => b.jobsClaim({ workerId: `w${i}`, queues: ['capped'], limit: 5, leaseMs: 60_000 })),
      ),
    );
    expect(got.flat()).toHaveLength(3);
    const counts = await backends[0]!.jobsCount({ queues: ['capped'] });
    expect(counts.capped?.running).toBe(3);
  });

  it('plans fenced writes as lookups by id, even when planned while the queue was small', async () => {
    const schema = freshSchema();
    const b = await open(schema);
    const ids = async (n: number): Promise<string[]> => {
      await b.jobsEnqueue({ jobs: Array.from({ length: n }, () => job(b)) });
      const claimed = await b.jobsClaim({ workerId: 'w', queues: ['default'], limit: n, leaseMs: 60_000 });
      return claimed.map((j) => j.id);
    };
    const hot = await b.hot.connect();
    try {
      const { complete } = jobStatements(`"${schema}"`, 'plan');
      await hot.query(
        `PREPARE plan_complete(text[], text[], int[], jsonb[], timestamptz, bigint, text, boolean[]) AS ${complete.text}`,
      );
      // Worker, attempt, result and its fitting in the event are shared by the batch, so each is
      // sent once (as the engine does).
      const execute = (batch: string[]) =>
        `EXECUTE plan_complete('{${batch.join(',')}}', '{w}', '{1}', '{null}', now(), 0, 'plan_events', '{t}')`;
      // The generic plan is made here, on a queue of five jobs, and kept.
      await hot.query(execute(await ids(5)));
      const batch = await ids(300);
      const plan = (await hot.query(`EXPLAIN ${execute(batch)}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan using jobs_pkey on jobs j .*\n\s+Index Cond: \(id = /);
      expect(plan).not.toMatch(/jobs_running|Seq Scan on jobs|Hash Join|Merge Join/);
      // NULL: every job of the batch was completed.
      expect((await hot.query(execute(batch))).rows[0].done).toBeNull();
      expect((await b.jobsCount({ queues: ['default'] })).default?.completed).toBe(305);
    } finally {
      await hot.query('DEALLOCATE ALL');
      hot.release();
    }
  });

  it('builds the same events in SQL as the core jobEvent', async () => {
    const b = await open(freshSchema());
    const seen: GantryEvent[] = [];
    const stop = await b.eventsSubscribe({ onEvent: (e) => seen.push(e) });
    const [out] = await b.jobsEnqueue({ jobs: [job(b, { queue: 'ev', maxAttempts: 2 })] });
    const [held] = await b.jobsClaim({ workerId: 'w', queues: ['ev'], limit: 1, leaseMs: 1000 });
    await b.jobProgress({ id: held!.id, workerId: 'w', progress: { percent: 50, message: 'half' } });
    const error = { message: 'boom', attempt: 1, at: new Date(b.clock.now()) };
    await b.jobsFail({ items: [{ id: held!.id, workerId: 'w', attempt: 1, error, retryAt: new Date(b.clock.now()) }] });
    const [again] = await b.jobsClaim({ workerId: 'w2', queues: ['ev'], limit: 1, leaseMs: 1000 });
    await b.jobsComplete({ items: [{ id: again!.id, workerId: 'w2', attempt: 2, result: 1 }] });
    await until(() => seen.length === 6, 'six events');
    const at = b.clock.now();
    const base = { ...out!.job };
    const expected = [
      jobEvent(base, 'job.enqueued', at),
      jobEvent(held!, 'job.started', at),
      { ...jobEvent(held!, 'job.progress', at), progress: { percent: 50, message: 'half' } },
      jobEvent({ ...held!, state: 'retrying' }, 'job.retrying', at, { error: 'boom' }),
      jobEvent(again!, 'job.started', at),
      jobEvent({ ...again!, state: 'completed' }, 'job.completed', at, completedResult(1)),
    ];
    expect(seen.map(({ seq: _seq, ...e }) => e)).toEqual(expected);
    await stop();
  });

  it('lets exactly one of many concurrent enqueues take a unique key', async () => {
    const schema = freshSchema();
    const backends = await Promise.all([1, 2, 3, 4].map(() => open(schema)));
    const results = await Promise.allSettled(
      backends.map((b) => b.jobsEnqueue({ jobs: [job(b, { uniqueKey: 'only-one' })] })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    for (const r of refused) expect(r.reason).toBeInstanceOf(UniqueConflictError);
  });

  it('reads the schema from a postgresql:// URL and opens an up-to-date schema with migrate false', async () => {
    const schema = freshSchema();
    await open(schema);
    const url = `${TEST_URLS.postgres.replace(/^postgres:/, 'postgresql:')}?schema=${schema}`;
    const b = (await openPostgresBackend({ url, migrate: false })) as PostgresBackend;
    opened.push(b);
    expect(b.schema).toBe(schema);
    await b.jobsEnqueue({ jobs: [job(b)] });
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".jobs`);
    expect(rows[0].n).toBe(1);
  });

  it('commits the worker path asynchronously unless worker_commit=sync, and the rest synchronously; plans once', async () => {
    const schema = freshSchema();
    const b = await open(schema);
    const hot = b.hot;
    expect((await hot.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('off');
    expect((await b.pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('on');
    const sync = (await openPostgresBackend({
      url: `${TEST_URLS.postgres}?worker_commit=sync`,
      namespace: schema,
    })) as PostgresBackend;
    opened.push(sync);
    const syncHot = sync.hot;
    expect((await syncHot.query('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('on');
    // Both worker pools plan their prepared statements once (generic plans).
    for (const p of [hot, syncHot]) {
      expect((await p.query('SHOW plan_cache_mode')).rows[0].plan_cache_mode).toBe('force_generic_plan');
    }
  });

  it('migrates once when many processes open a new schema at once', async () => {
    const schema = freshSchema();
    await Promise.all([1, 2, 3, 4, 5].map(() => open(schema)));
    const { rows } = await admin.query(`SELECT version FROM "${schema}".migrations ORDER BY version`);
    const latest = (await loadMigrations()).at(-1)!.version;
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
    expect(await opened[0]!.schemaMigrate()).toEqual({ from: latest, to: latest });
  });

  it('refuses a schema that is behind when migrate is false, and one that is ahead', async () => {
    const schema = freshSchema();
    await expect(open(schema, new ManualClock(), false)).rejects.toThrow(/gantry migrate/);
    const b = await open(schema);
    await admin.query(`INSERT INTO "${schema}".migrations (version, name, applied_at) VALUES (999, 'future', now())`);
    await expect(open(schema)).rejects.toBeInstanceOf(MigrationError);
    await expect(b.schemaMigrate()).rejects.toThrow(/upgrade gantry/);
  });

  it('reports an unreachable server as EngineUnavailableError and answers healthCheck', async () => {
    const b = await open(freshSchema());
    await expect(b.healthCheck()).resolves.toBeUndefined();
    await expect(openPostgresBackend({ url: 'postgres://postgres@127.0.0.1:1/test' })).rejects.toBeInstanceOf(
      EngineUnavailableError,
    );
  });
});
