/**
 * The PostgreSQL events channel sends one notification per statement: small batches inline,
 * large ones as a seq range the listener reads from the table. Both must reach a subscriber
 * of another backend complete and in order, and a subscriber must not see types it filtered out.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { GantryEvent } from '../../src/core/events.js';
import { validateEnqueue } from '../../src/core/validate.js';
import { INLINE_EVENTS } from '../../src/engines/postgres/sql-events.js';
import { PostgresBackend, openPostgresBackend } from '../../src/engines/postgres/index.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';

const available = await engineAvailable('postgres');
const admin = new pg.Pool({ connectionString: TEST_URLS.postgres, max: 2 });
const opened: PostgresBackend[] = [];
const schema = `t_${randomBytes(6).toString('hex')}`;

afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

async function open(): Promise<PostgresBackend> {
  const b = (await openPostgresBackend({
    url: TEST_URLS.postgres,
    clock: systemClock,
    namespace: schema,
  })) as PostgresBackend;
  opened.push(b);
  return b;
}

async function until(fn: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!available)('postgres event batches', () => {
  it('delivers small and large batches of another backend in seq order, filtered', async () => {
    const [writer, reader] = [await open(), await open()];
    const all: GantryEvent[] = [];
    const started: GantryEvent[] = [];
    const stopAll = await reader.eventsSubscribe({ onEvent: (e) => all.push(e) });
    const stopStarted = await reader.eventsSubscribe({
      filter: { types: ['job.started'] },
      onEvent: (e) => started.push(e),
    });
    const sizes = [1, INLINE_EVENTS, INLINE_EVENTS + 1, 300, 2];
    for (const n of sizes) {
      const jobs = Array.from({ length: n }, (_, i) => validateEnqueue({ type: 't', payload: { i } }, Date.now()));
      await writer.jobsEnqueue({ jobs });
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    const claimed = await writer.jobsClaim({ workerId: 'w', queues: ['default'], limit: 40, leaseMs: 60_000 });
    await until(() => all.length === total + claimed.length, 'every event');
    expect(all.slice(0, total).every((e) => e.type === 'job.enqueued')).toBe(true);
    const seqs = all.map((e) => BigInt(e.seq!));
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
    expect(started.map((e) => e.jobId)).toEqual(claimed.map((j) => j.id));
    expect(started.every((e) => e.type === 'job.started')).toBe(true);
    await stopAll();
    await stopStarted();
  });

  it('replays past events after a seq in seq order across pages of the table', async () => {
    const [writer, reader] = [await open(), await open()];
    const jobs = Array.from({ length: 1_200 }, (_, i) => validateEnqueue({ type: 't', payload: { i } }, Date.now()));
    await writer.jobsEnqueue({ jobs });
    const seen: GantryEvent[] = [];
    const stop = await reader.eventsSubscribe({ afterSeq: '0', onEvent: (e) => seen.push(e) });
    await until(() => seen.length >= 1_200, 'the replay');
    const seqs = seen.map((e) => BigInt(e.seq!));
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
    await stop();
  });
});
