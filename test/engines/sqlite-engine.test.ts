/**
 * What is particular to the SQLite engine (the shared semantics are in the conformance
 * suite): URL forms, versioned migrations, and two connections to one file seeing each
 * other's events and wake-ups through the tailed event log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { EngineUnavailableError, MigrationError } from '../../src/core/errors.js';
import type { GantryEvent } from '../../src/core/events.js';
import { validateEnqueue } from '../../src/core/validate.js';
import { openBackend } from '../../src/backend/open.js';
import { openSqliteBackend, sqlitePath } from '../../src/engines/sqlite/index.js';
import { MIGRATIONS_DIR, loadMigrations } from '../../src/engines/sqlite/migrate.js';

const dir = mkdtempSync(join(tmpdir(), 'gantry-sqlite-engine-'));
let n = 0;
const file = (): string => join(dir, `e${++n}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 5_000;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('sqlite: URLs', () => {
  it('reads every documented form', () => {
    expect(sqlitePath('sqlite:./gantry.db')).toBe('./gantry.db');
    expect(sqlitePath('sqlite:/abs/path.db')).toBe('/abs/path.db');
    expect(sqlitePath('sqlite::memory:')).toBe(':memory:');
    expect(sqlitePath('sqlite://./rel.db')).toBe('./rel.db');
    expect(sqlitePath('file:./x.db')).toBe('./x.db');
    expect(sqlitePath('file:///abs/x.db')).toBe('/abs/x.db');
    expect(sqlitePath('sqlite:./q.db?mode=rwc')).toBe('./q.db');
    expect(() => sqlitePath('sqlite:')).toThrow(/sqlite:<file>/);
  });

  it('opens an in-memory database and through openBackend', async () => {
    const mem = await openSqliteBackend({ url: 'sqlite::memory:' });
    await mem.healthCheck();
    expect(mem.name).toBe('sqlite');
    await mem.close();
    const viaOpen = await openBackend({ url: `file:${file()}` });
    expect(viaOpen.capabilities).toEqual({
      transactionalEnqueue: false,
      pushWakeups: true,
      eventReplay: true,
      multiProcess: true,
      localClaims: true,
      claimOrder: 'total',
      claimOnWake: false,
    });
    await viaOpen.close();
  });
});

describe('sqlite: migrations', () => {
  const latest = loadMigrations().at(-1)!.version;

  it('finds the migration files from the source tree (and from dist/, one level alike)', () => {
    expect(MIGRATIONS_DIR.replace(/\\/g, '/')).toMatch(/\/migrations\/sqlite\/$/);
    expect(loadMigrations().map((m) => m.version)).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
  });

  it('migrates once; a second run is a no-op', async () => {
    const url = `sqlite:${file()}`;
    const b = await openSqliteBackend({ url, migrate: false }).catch((e: unknown) => e);
    expect(b).toBeInstanceOf(MigrationError);
    expect((b as Error).message).toMatch(/gantry migrate/);
    const first = await openSqliteBackend({ url });
    expect(await first.schemaMigrate()).toEqual({ from: latest, to: latest });
    await first.close();
    const again = await openSqliteBackend({ url, migrate: false });
    await again.healthCheck();
    await again.close();
  });

  it('refuses a database whose schema is ahead of this code', async () => {
    const path = file();
    await (await openSqliteBackend({ url: `sqlite:${path}` })).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      latest + 1,
      'future',
      0,
    );
    db.close();
    await expect(openSqliteBackend({ url: `sqlite:${path}` })).rejects.toThrow(/upgrade gantry/);
    await expect(openSqliteBackend({ url: `sqlite:${path}`, migrate: false })).rejects.toBeInstanceOf(MigrationError);
  });
});

describe('sqlite: two connections to one file', () => {
  it('delivers events and wake-ups across connections, each once', async () => {
    const url = `sqlite:${file()}`;
    const clock = new ManualClock();
    const a = await openSqliteBackend({ url, clock });
    const b = await openSqliteBackend({ url, clock });
    const seenOnB: GantryEvent[] = [];
    const stop = await b.eventsSubscribe({ onEvent: (e) => seenOnB.push(e) });
    let woke = false;
    const waiting = b.workAwait({ queues: ['x'], timeoutMs: 60_000 }).then(() => (woke = true));

    const job = validateEnqueue({ type: 't', queue: 'x' }, clock.now());
    await a.jobsEnqueue({ jobs: [job] });
    await until(() => woke, 'wake-up on b');
    await waiting;
    const [claimed] = await b.jobsClaim({ workerId: 'wb', queues: ['x'], limit: 1, leaseMs: 1_000 });
    expect(claimed!.id).toBe(job.id);
    await a.jobCancel({ id: job.id });
    await until(() => seenOnB.some((e) => e.type === 'job.cancelled'), 'cancel seen on b');
    expect(seenOnB.map((e) => e.type)).toEqual(['job.enqueued', 'job.started', 'job.cancelled']);
    const seqs = seenOnB.map((e) => Number(e.seq));
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    // The worker on b learns it lost the job.
    expect((await b.jobsLeaseRenew({ workerId: 'wb', ids: [job.id], leaseMs: 1_000 })).lost).toEqual([job.id]);
    await stop();
    await a.close();
    await b.close();
  });

  it("reads another connection's events row only when a subscriber here takes one of its types", async () => {
    const path = file();
    const b = await openSqliteBackend({ url: `sqlite:${path}`, clock: new ManualClock() });
    const seen: GantryEvent[] = [];
    const stop = await b.eventsSubscribe({ filter: { types: ['job.cancelled'] }, onEvent: (e) => seen.push(e) });
    // Rows as another process writes them, each holding one cancellation: the first says it
    // holds only job.started (so it is not unpacked), the second was written before schema
    // version 3 and has no types (so it is), the third says what it holds.
    const other = new Database(path);
    const insert = other.prepare(
      "INSERT INTO events (at, origin, wake, body, packed, types) VALUES (1, 'other', NULL, '[]', ?, ?)",
    );
    const cancelled = (jobId: string) =>
      JSON.stringify([[{ type: 'job.cancelled', at: 1, jobId, queue: 'default', state: 'cancelled' }]]);
    other.transaction(() => {
      insert.run(cancelled('j1'), ',job.started,');
      insert.run(cancelled('j2'), null);
      insert.run(cancelled('j3'), ',job.completed,job.cancelled,');
    })();
    await until(() => seen.length >= 2, 'the rows that may hold cancellations');
    expect(seen.map((e) => e.jobId)).toEqual(['j2', 'j3']);
    other.close();
    await stop();
    await b.close();
  });

  it('keeps unique keys and caps atomic across connections', async () => {
    const url = `sqlite:${file()}`;
    const clock = new ManualClock();
    const [a, b] = await Promise.all([openSqliteBackend({ url, clock }), openSqliteBackend({ url, clock })]);
    const results = await Promise.allSettled(
      [a, b, a, b].map((x) => x.jobsEnqueue({ jobs: [validateEnqueue({ type: 't', uniqueKey: 'one' }, clock.now())] })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await a.close();
    await b.close();
  });
});

describe('sqlite: in-process subscribers', () => {
  it('hands each subscriber the types it takes, with seqs, as subscribers come and go', async () => {
    const b = await openSqliteBackend({ url: `sqlite:${file()}`, clock: new ManualClock(1_000) });
    const narrow: GantryEvent[] = [];
    const all: GantryEvent[] = [];
    const job = () => validateEnqueue({ type: 't' }, 1_000);
    const stopNarrow = await b.eventsSubscribe({ filter: { types: ['job.started'] }, onEvent: (e) => narrow.push(e) });
    await b.jobsEnqueue({ jobs: [job()] });
    expect(narrow).toEqual([]);
    const stopAll = await b.eventsSubscribe({ onEvent: (e) => all.push(e) });
    await b.jobsEnqueue({ jobs: [job()] });
    await b.jobsClaim({ workerId: 'w', queues: ['default'], limit: 1, leaseMs: 1_000 });
    expect(all.map((e) => e.type)).toEqual(['job.enqueued', 'job.started']);
    expect(narrow.map((e) => e.type)).toEqual(['job.started']);
    for (const e of [...all, ...narrow]) expect(e.seq).toMatch(/^\d+$/);
    await stopAll();
    await b.jobsEnqueue({ jobs: [job()] });
    expect(all).toHaveLength(2);
    await stopNarrow();
    await b.close();
  });
});

describe('sqlite: after close', () => {
  it('answers EngineUnavailableError, and waiters resolve', async () => {
    const b = await openSqliteBackend({ url: `sqlite:${file()}` });
    await b.close();
    await expect(b.healthCheck()).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(b.jobGet({ id: 'x' })).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(b.jobsClaim({ workerId: 'w', queues: ['default'], limit: 1, leaseMs: 1 })).rejects.toBeInstanceOf(
      EngineUnavailableError,
    );
    await b.workAwait({ queues: ['default'], timeoutMs: 60_000 });
    await b.close();
  });
});
