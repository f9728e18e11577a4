/**
 * `gantry worker` logs each job it runs, on both engines: start and completion at info, a
 * failed attempt at warn (retried) or error (not); `--job-log failures` keeps only failures.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { cliEngines, fixture, killAll, spawnGantry, waitUntil, type Running } from './cli-helpers.js';

interface LogLine {
  level: number;
  msg: string;
  jobId?: string;
  type?: string;
  queue?: string;
  attempt?: number;
  maxAttempts?: number;
  durationMs?: number;
  error?: string;
  retryAt?: string;
}

const lines = (w: Running): LogLine[] =>
  w.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

const { engines, cleanup } = await cliEngines('cli_joblog');
afterAll(cleanup);
const children: Running[] = [];
afterEach(() => killAll(children));

describe.each(engines)('gantry worker job log (%s)', { timeout: 60_000 }, (_engine, url) => {
  const start = (...extra: string[]): Running => {
    const w = spawnGantry([
      '--url',
      url,
      'worker',
      '--handlers',
      fixture('basic-handlers.mjs'),
      '--poll',
      '100ms',
      ...extra,
    ]);
    children.push(w);
    return w;
  };

  it('logs each start and completion at info, a retried failure at warn and a final one at error', async () => {
    const client = await Client.connect({ url });
    try {
      const w = start();
      const ok = await client.enqueue('echo', { n: 1 });
      const bad = await client.enqueue('fail', null, { maxAttempts: 2, backoff: [10] });
      await waitUntil(async () => (await client.get(bad.id))?.state === 'failed', 'the failing job to fail');
      await waitUntil(() => lines(w).some((l) => l.msg === 'job failed'), 'the final failure to be logged');
      const log = lines(w);
      const of = (id: string, msg: string): LogLine[] => log.filter((l) => l.jobId === id && l.msg === msg);
      expect(of(ok.id, 'job started')).toMatchObject([{ level: 30, type: 'echo', queue: 'default', attempt: 1 }]);
      expect(of(ok.id, 'job completed')).toMatchObject([{ level: 30, type: 'echo', attempt: 1, maxAttempts: 25 }]);
      expect(of(ok.id, 'job completed')[0]!.durationMs).toEqual(expect.any(Number));
      expect(of(bad.id, 'job started')).toHaveLength(2);
      expect(of(bad.id, 'job failed; it will be retried')).toMatchObject([
        { level: 40, attempt: 1, error: 'this handler always fails', retryAt: expect.any(String) },
      ]);
      expect(of(bad.id, 'job failed')).toMatchObject([{ level: 50, attempt: 2, maxAttempts: 2 }]);
    } finally {
      await client.close();
    }
  });

  it('--job-log failures logs only the failures', async () => {
    const client = await Client.connect({ url });
    try {
      const w = start('--job-log', 'failures');
      const ok = await client.enqueue('echo', { n: 2 });
      const bad = await client.enqueue('fail', null, { maxAttempts: 1 });
      await waitUntil(() => lines(w).some((l) => l.jobId === bad.id && l.msg === 'job failed'), 'the failure log');
      // The two run at once: the failure may be logged before the other job's completion is written.
      await waitUntil(async () => (await client.get(ok.id))?.state === 'completed', 'the other job to complete');
      expect(lines(w).filter((l) => l.jobId === ok.id)).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
