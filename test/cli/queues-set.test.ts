/**
 * `gantry queues set`: a queue's caps and defaults from the CLI. A job naming none takes the
 * queue's timeout and attempts; a worker listing the queue without a weight takes its weight.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fixture, gantry, gantryJson, killAll, spawnGantry, tempDb, waitUntil, type Running } from './cli-helpers.js';

const db = tempDb('gantry-queues-set-');
const children: Running[] = [];
afterEach(() => killAll(children));
afterAll(() => db.cleanup());

interface QueueJson {
  name: string;
  concurrency: number | null;
  timeoutMs: number | null;
  maxAttempts: number | null;
  weight: number | null;
}

describe('gantry queues set', { timeout: 60_000 }, () => {
  it('sets and clears a queue’s caps and defaults; jobs and workers take them', async () => {
    const set = await gantryJson<QueueJson>(db.url, [
      'queues',
      'set',
      'TEST',
      '--timeout',
      '60m',
      '--max-attempts',
      '100',
      '--concurrency',
      '100',
      '--weight',
      '10',
    ]);
    expect(set).toMatchObject({ name: 'TEST', timeoutMs: 3_600_000, maxAttempts: 100, concurrency: 100, weight: 10 });
    const text = await gantry(['--url', db.url, 'queues', 'set', 'TEST', '--concurrency', '100']);
    expect(text.stdout).toMatch(/^TEST: concurrency 100, .*timeout 1h.*, max attempts 100, weight 10\n$/);

    const job = await gantryJson<{ id: string; maxAttempts: number; timeoutMs: number | null }>(db.url, [
      'enqueue',
      'echo',
      '--queue',
      'TEST',
    ]);
    expect(job).toMatchObject({ maxAttempts: 100, timeoutMs: 3_600_000 });

    const w = spawnGantry([
      '--url',
      db.url,
      'worker',
      '--handlers',
      fixture('basic-handlers.mjs'),
      '--queues',
      'TEST,other:2',
    ]);
    children.push(w);
    type Workers = { queues: { name: string; weight: number }[] }[];
    await waitUntil(async () => (await gantryJson<Workers>(db.url, ['workers', 'ls'])).length === 1, 'the worker');
    const [info] = await gantryJson<Workers>(db.url, ['workers', 'ls']);
    expect(info!.queues).toEqual([
      { name: 'TEST', weight: 10 },
      { name: 'other', weight: 2 },
    ]);
    w.child.kill('SIGTERM');
    await w.exited;

    const cleared = await gantryJson<QueueJson>(db.url, [
      'queues',
      'set',
      'TEST',
      '--timeout',
      'none',
      '--weight',
      'none',
    ]);
    expect(cleared).toMatchObject({ timeoutMs: null, maxAttempts: 100, weight: null });
    const bad = await gantry(['--url', db.url, 'queues', 'set', 'TEST', '--max-attempts', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-attempts must be a whole number from 1 to 1000/);
  });
});
