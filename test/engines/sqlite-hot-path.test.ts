/**
 * The SQLite engine's fast paths read rows differently from `jobGet` (a claim returns one
 * JSON text per job; enqueue returns the job built from its `NewJob`; events are stored
 * compactly). Each must give exactly what reading the row back gives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { ManualClock } from '../../src/core/clock.js';
import type { GantryEvent } from '../../src/core/events.js';
import { validateEnqueue, type EnqueueRequest } from '../../src/core/validate.js';
import { openSqliteBackend } from '../../src/engines/sqlite/index.js';
import { loadMigrations, migrate } from '../../src/engines/sqlite/migrate.js';

const dir = mkdtempSync(join(tmpdir(), 'gantry-sqlite-hot-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(clock: ManualClock): Promise<Backend> {
  return openSqliteBackend({ url: `sqlite:${join(dir, `h${++n}.db`)}`, clock });
}

/** Publishes one event and returns the seq it was given (as delivered in-process). */
async function nextSeq(b: Backend): Promise<number> {
  const seen: GantryEvent[] = [];
  const off = await b.eventsSubscribe({ onEvent: (e) => void seen.push(e) });
  await b.eventsPublish({ events: [{ type: 'queue.paused', at: b.clock?.now() ?? 0, queue: 'q' }] });
  await off();
  return Number(seen[0]!.seq);
}

const RICH: EnqueueRequest = {
  type: 'rich',
  queue: 'hot',
  payload: { text: 'é ✓ "quoted" \\ \u2028', big: 2 ** 60, float: 0.1, nested: [null, true, { a: [] }] },
  priority: 3,
  maxAttempts: 4,
  backoff: { type: 'fixed', delayMs: 250 },
  timeout: 5_000,
  deadline: new Date('2100-01-01T00:00:00Z'),
  uniqueKey: 'rich-1',
  tags: ['a', 'b'],
  metadata: { owner: 'ops', n: 1 },
};

describe('sqlite: hot-path rows', () => {
  it('enqueue returns what jobGet reads back', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const b = await open(clock);
    const jobs = [RICH, { type: 'plain', queue: 'hot' }].map((r) => validateEnqueue(r, clock.now()));
    const out = await b.jobsEnqueue({ jobs });
    for (const o of out) expect(o.job).toEqual(await b.jobGet({ id: o.job.id }));
    await b.close();
  });

  it('a claimed job, also one retried with errors and progress, equals the row read back', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const b = await open(clock);
    const out = await b.jobsEnqueue({ jobs: [validateEnqueue(RICH, clock.now())] });
    const job = out[0]!.job;
    const claim = () => b.jobsClaim({ queues: ['hot'], limit: 10, workerId: 'w1', leaseMs: 60_000, prefetch: 0 });
    const [first] = await claim();
    expect(first).toEqual(await b.jobGet({ id: job.id }));
    await b.jobProgress({ id: job.id, workerId: 'w1', progress: { percent: 40, message: 'half' } });
    const error = { message: 'boom', attempt: 1, workerId: 'w1', at: new Date(clock.now()), code: 'E1' };
    await b.jobsFail({ items: [{ id: job.id, workerId: 'w1', attempt: 1, error, retryAt: new Date(clock.now()) }] });
    await clock.advance(1_000);
    const [second] = await claim();
    expect(second!.attempts).toBe(2);
    expect(second!.errors).toEqual([error]);
    expect(second!.progress).toEqual({ percent: 40, message: 'half' });
    expect(second).toEqual(await b.jobGet({ id: job.id }));
    await b.close();
  });

  it('claims many jobs in claim order, each its own object', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const b = await open(clock);
    const reqs = Array.from({ length: 30 }, (_, i) => ({ type: 't', queue: 'hot', payload: i, priority: i % 3 }));
    await b.jobsEnqueue({ jobs: reqs.map((r) => validateEnqueue(r, clock.now())) });
    const got = await b.jobsClaim({ queues: ['hot'], limit: 30, workerId: 'w', leaseMs: 1_000, prefetch: 0 });
    expect(got.map((j) => j.priority)).toEqual([...got.map((j) => j.priority)].sort((x, y) => y - x));
    for (const j of got) expect(j).toEqual(await b.jobGet({ id: j.id }));
    expect(got[0]!.leaseUntil).not.toBe(got[1]!.leaseUntil);
    await b.close();
  });
});

describe('sqlite: stored events', () => {
  it('another connection replays exactly the events delivered in-process', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const url = `sqlite:${join(dir, `h${++n}.db`)}`;
    const a = await openSqliteBackend({ url, clock });
    const local: GantryEvent[] = [];
    const off = await a.eventsSubscribe({ onEvent: (e) => void local.push(e) });
    const reqs = [RICH, { type: 'plain', queue: 'hot' }, { type: 'plain', queue: 'cold' }];
    await a.jobsEnqueue({ jobs: reqs.map((r) => validateEnqueue(r, clock.now())) });
    const claimed = await a.jobsClaim({
      queues: ['hot', 'cold'],
      limit: 5,
      workerId: 'w',
      leaseMs: 1_000,
      prefetch: 0,
    });
    const [x, y, z] = claimed as [(typeof claimed)[0], (typeof claimed)[0], (typeof claimed)[0]];
    await a.jobProgress({ id: x.id, workerId: 'w', progress: { percent: 5 } });
    await a.jobsComplete({ items: [{ id: x.id, workerId: 'w', attempt: 1, result: { ok: 1 } }] });
    const error = { message: 'no', attempt: 1, at: new Date(clock.now()) };
    await a.jobsFail({ items: [{ id: y.id, workerId: 'w', attempt: 1, error, retryAt: null }] });
    await a.jobsRelease({ items: [{ id: z.id, workerId: 'w', attempt: 1 }] });
    await a.eventsPublish({ events: [{ type: 'queue.paused', at: clock.now(), queue: 'hot' }] });
    await off();
    await a.close();

    const b = await openSqliteBackend({ url, clock });
    const replayed: GantryEvent[] = [];
    const off2 = await b.eventsSubscribe({ afterSeq: '0', onEvent: (e) => void replayed.push(e) });
    await off2();
    await b.close();
    expect(local.length).toBe(11);
    expect(replayed).toEqual(local);
  });

  it('migrates a version 1 event log: its events and seqs stay, and seqs keep growing', async () => {
    const path = join(dir, `h${++n}.db`);
    const v1 = new Database(path);
    migrate(v1, 0, loadMigrations().slice(0, 1));
    const old: GantryEvent[] = [
      { type: 'queue.resumed', at: 1, queue: 'q' },
      { type: 'queue.paused', at: 2, queue: 'q' },
    ];
    v1.prepare("INSERT INTO events (seq, at, origin, wake, body) VALUES (7, 1, 'old', NULL, ?)").run(
      JSON.stringify(old),
    );
    v1.close();
    const b = await openSqliteBackend({ url: `sqlite:${path}` });
    const got: GantryEvent[] = [];
    const off = await b.eventsSubscribe({ afterSeq: '0', onEvent: (e) => void got.push(e) });
    await off();
    expect(got).toEqual(old.map((e, i) => ({ ...e, seq: String(7 * 2 ** 20 + i) })));
    const next = await nextSeq(b);
    expect(next).toBeGreaterThan(7 * 2 ** 20 + 1);
    await b.close();
  });

  it('retention never deletes the newest event, so a seq is never handed out twice', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const b = await open(clock);
    const first = await nextSeq(b);
    const second = await nextSeq(b);
    await b.jobsPrune({ finishedBefore: {}, eventsBefore: new Date(clock.now() + 60_000) });
    const third = await nextSeq(b);
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
    const replayed: GantryEvent[] = [];
    const off = await b.eventsSubscribe({ afterSeq: '0', onEvent: (e) => void replayed.push(e) });
    await off();
    expect(replayed.map((e) => Number(e.seq))).toEqual([second, third]);
    await b.close();
  });
});
