/**
 * Three `gantry worker` processes share one engine (a SQLite file, a PostgreSQL schema) and a
 * few hundred jobs; one is killed with SIGKILL in the middle of its jobs. Maintenance (in the
 * survivors) recovers its jobs after their 2 s lease: every job ends `completed`, none is lost,
 * and no job ever ran in two places at the same time. Each engine's test file calls
 * `describeKillScenario` with its own store.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { fixture, killAll, spawnGantry, tempDb, waitUntil, type Running } from '../cli/cli-helpers.js';
import { intervals, overlaps, readRecord } from './sqlite-record.js';

const JOBS = 300;
const WORKERS = 3;

/** A fresh store for one run: its URL, and how to remove it. */
export interface ScenarioStore {
  url: string;
  cleanup(): Promise<void> | void;
}

/** Registers the SIGKILL scenario against the store `open` makes (`null`: engine down, skip). */
export function describeKillScenario(engine: string, open: () => Promise<ScenarioStore | null>): void {
  let store: ScenarioStore | null = null;
  const dir = tempDb('gantry-rel-kill-');
  const recordFile = path.join(dir.dir, 'record.ndjson');
  const children: Running[] = [];
  let client: Client | undefined;

  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    killAll(children);
    await Promise.all(children.map((c) => c.exited.catch(() => undefined)));
    await client?.close();
    await store?.cleanup();
    dir.cleanup();
  });

  function startWorker(url: string): Running {
    const w = spawnGantry(
      [
        '--url',
        url,
        'worker',
        '--handlers',
        fixture('recording-handlers.mjs'),
        '--concurrency',
        '4',
        '--lease',
        '2s',
        '--maintenance-interval',
        '250ms',
        '--maintenance-lease',
        '2s',
        '--poll',
        '100ms',
        '--no-scheduler',
        '--log-level',
        'warn',
      ],
      { env: { GANTRY_TEST_RECORD: recordFile } },
    );
    children.push(w);
    return w;
  }

  describe(`${engine}, several worker processes, one killed with SIGKILL`, () => {
    it('completes every job exactly once at a time, losing none', { timeout: 90_000 }, async (ctx) => {
      if (!store) return ctx.skip();
      const url = store.url;
      client = await Client.connect({ url });
      const c = client;
      const workers = Array.from({ length: WORKERS }, () => startWorker(url));
      await waitUntil(async () => (await c.workers()).length === WORKERS, 'every worker to register');

      // A fixed short backoff keeps the recovered jobs' retry quick; lease expiry decides when.
      const jobs = await c.enqueueMany(
        Array.from({ length: JOBS }, (_, i) => ({ type: 'work', payload: { ms: 20 + (i % 5) * 10, i }, backoff: 100 })),
      );
      const victim = workers[0]!;
      const victimPid = victim.child.pid!;

      // Kill once the victim has finished some jobs and is in the middle of others.
      await waitUntil(() => {
        const ivs = intervals(readRecord(recordFile)).filter((iv) => iv.pid === victimPid);
        return ivs.filter((iv) => iv.outcome === 'end').length >= 10 && ivs.some((iv) => iv.end === null);
      }, 'the victim to be mid-job');
      victim.child.kill('SIGKILL');
      const death = await victim.exited;
      const killedAt = Date.now();
      expect(death.signal).toBe('SIGKILL');

      await waitUntil(
        async () => Object.values(await c.counts()).reduce((n, s) => n + s.completed, 0) === JOBS,
        `all ${JOBS} jobs to complete`,
        { timeoutMs: 60_000, intervalMs: 200 },
      );

      // Nothing else is left in any other state, and every job we enqueued is there.
      const counts = Object.values(await c.counts());
      for (const state of ['scheduled', 'queued', 'running', 'retrying', 'failed', 'cancelled', 'expired'] as const) {
        expect(
          counts.reduce((n, s) => n + s[state], 0),
          state,
        ).toBe(0);
      }
      const stored = (await c.list({ limit: 1000 })).jobs;
      expect(new Set(stored.map((j) => j.id))).toEqual(new Set(jobs.map((j) => j.id)));

      const all = intervals(readRecord(recordFile));
      // Only the killed process left attempts without an end, and it did leave some: it died mid-job.
      const cut = all.filter((iv) => iv.end === null);
      expect(cut.length).toBeGreaterThan(0);
      expect(cut.every((iv) => iv.pid === victimPid)).toBe(true);
      // No job ran in two places at once (an attempt cut by the kill lasts until the kill).
      expect(overlaps(all, killedAt)).toEqual([]);
      // Every job's final attempt ran to its end in a live process.
      const byId = new Map(stored.map((j) => [j.id, j]));
      for (const job of stored) {
        expect(all.some((iv) => iv.id === job.id && iv.attempt === job.attempts && iv.outcome === 'end')).toBe(true);
      }
      // The jobs cut by the kill were recovered through lease expiry and ran again elsewhere.
      for (const iv of cut) {
        const job = byId.get(iv.id)!;
        expect(job.attempts).toBeGreaterThan(iv.attempt);
        expect(job.errors.map((e) => e.code)).toContain('LEASE_EXPIRED');
        expect((job.result as { pid: number }).pid).not.toBe(victimPid);
      }
    });
  });
}

/** Checks of the overlap detector the scenario relies on. */
export function describeOverlapCheck(): void {
  describe('the overlap check itself', () => {
    it('finds attempts of one job that overlap, including one cut by a kill', () => {
      const iv = (id: string, pid: number, start: number, end: number | null) => ({
        id,
        attempt: 1,
        pid,
        start,
        end,
        outcome: end === null ? null : ('end' as const),
      });
      expect(overlaps([iv('a', 1, 0, 10), iv('a', 2, 10, 20), iv('b', 1, 5, 8)], 100)).toEqual([]);
      expect(overlaps([iv('a', 1, 0, 10), iv('a', 2, 9, 20)], 100)).toHaveLength(1);
      expect(overlaps([iv('a', 1, 0, 50), iv('a', 2, 10, 20), iv('a', 3, 30, 40)], 100)).toHaveLength(2);
      expect(overlaps([iv('a', 1, 0, null), iv('a', 2, 90, 95)], 100)).toHaveLength(1);
    });
  });
}
