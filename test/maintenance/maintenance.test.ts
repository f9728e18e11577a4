/** Maintenance on a real SQLite file: the loop on the clock, retention, options. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import { ManualClock } from '../../src/core/clock.js';
import { ValidationError } from '../../src/core/errors.js';
import { openSqliteBackend } from '../../src/engines/sqlite/index.js';
import { Maintenance } from '../../src/maintenance/maintenance.js';

const dir = mkdtempSync(join(tmpdir(), 'gantry-maint-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;

describe('Maintenance', () => {
  let clock: ManualClock;
  let backend: Backend;
  let client: Client;
  const running: Maintenance[] = [];

  beforeEach(async () => {
    clock = new ManualClock();
    backend = await openSqliteBackend({ url: `sqlite:${join(dir, `m${++n}.db`)}`, clock });
    client = new Client(backend);
  });
  afterEach(async () => {
    for (const m of running.splice(0)) await m.stop();
    await backend.close();
  });

  const make = (
    opts: ConstructorParameters<typeof Maintenance>[0] extends infer O ? Partial<O> : never,
  ): Maintenance => {
    const m = new Maintenance({ backend, ...opts });
    running.push(m);
    return m;
  };

  /** Claims and completes (or fails) a job the way a worker would, at the current time. */
  const finish = async (outcome: 'completed' | 'failed', queue = 'default'): Promise<string> => {
    const job = await client.enqueue('t', null, { queue, maxAttempts: 1 });
    const [c] = await backend.jobsClaim({ workerId: 'w', queues: [queue], limit: 1, leaseMs: 1000 });
    expect(c?.id).toBe(job.id);
    if (outcome === 'completed')
      await backend.jobsComplete({ items: [{ id: job.id, workerId: 'w', attempt: 1, result: 1 }] });
    else {
      const error = { message: 'x', attempt: 1, at: new Date(clock.now()) };
      await backend.jobsFail({ items: [{ id: job.id, workerId: 'w', attempt: 1, error, retryAt: null }] });
    }
    return job.id;
  };

  /** Lets a tick the clock started finish its backend calls. */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await clock.advance(0);
  };

  it('ticks on the clock once started: a dead worker job comes back without runOnce', async () => {
    const m = make({ intervalMs: 1000 });
    const job = await client.enqueue('t', null, { backoff: 0 });
    await backend.jobsClaim({ workerId: 'dead', queues: ['default'], limit: 1, leaseMs: 2500 });
    m.start();
    await clock.advance(2000);
    expect((await client.get(job.id))!.state).toBe('running');
    await clock.advance(1000);
    // The tick fired at 3000 ms runs asynchronously; let it finish.
    for (let i = 0; i < 100 && (await client.get(job.id))!.state === 'running'; i++) await clock.advance(0);
    expect((await client.get(job.id))!).toMatchObject({ state: 'retrying' });
    await m.stop();
    expect(await backend.leaderElect({ name: 'maintenance', holder: 'other', ttlMs: 1000 })).toBe(true);
  });

  it('promotes due retrying and scheduled jobs', async () => {
    const m = make({});
    await client.enqueue('t', null, { delay: 5000 });
    expect((await m.runOnce()).promoted).toBe(0);
    await clock.advance(5000);
    expect((await m.runOnce()).promoted).toBe(1);
    expect((await client.counts(['default'])).default!.queued).toBe(1);
  });

  it('applies retention by age per final state', async () => {
    const m = make({ retention: { completedMs: DAY, failedMs: 7 * DAY } });
    const done = await finish('completed');
    const failed = await finish('failed');
    await clock.advance(DAY + 1);
    const report = await m.runOnce();
    expect(report.pruned).toBe(1);
    expect(await client.get(done)).toBeNull();
    expect(await client.get(failed)).not.toBeNull();
    await clock.advance(6 * DAY);
    expect((await m.runOnce()).pruned).toBe(1);
    expect(await client.get(failed)).toBeNull();
  });

  it('keeps at most maxPerQueueState finished jobs per queue and state', async () => {
    const m = make({ retention: { maxPerQueueState: 2 } });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(await finish('completed'));
      await clock.advance(10);
    }
    expect((await m.runOnce()).pruned).toBe(2);
    const left = (await client.list({ state: 'completed' })).jobs.map((j) => j.id).sort();
    expect(left).toEqual(ids.slice(2).sort());
  });

  it('skips retention when asked', async () => {
    const m = make({ retention: { completedMs: 1000 } });
    await finish('completed');
    await clock.advance(2000);
    expect((await m.runOnce({ prune: false })).pruned).toBeNull();
    expect((await client.counts(['default'])).default!.completed).toBe(1);
  });

  it('in the loop applies retention only every pruneIntervalMs', async () => {
    const m = make({ intervalMs: 1000, pruneIntervalMs: 60_000, retention: { completedMs: 1000 } });
    const id = await finish('completed');
    m.start();
    await clock.advance(5000);
    await settle();
    expect(await client.get(id)).not.toBeNull();
    await clock.advance(50_000);
    await settle();
    expect(await client.get(id)).not.toBeNull();
    // Ticks that find the previous one still running are skipped, so allow a few.
    for (let i = 0; i < 20 && (await client.get(id)) !== null; i++) await clock.advance(1000);
    expect(await client.get(id)).toBeNull();
  });

  it('refuses bad options with a message naming them', () => {
    expect(() => new Maintenance({ backend, intervalMs: 0 })).toThrow(ValidationError);
    expect(() => new Maintenance({ backend, retention: { completedMs: -1 } })).toThrow(/retention.completedMs/);
  });
});
