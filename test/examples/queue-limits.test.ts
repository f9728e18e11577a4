/**
 * examples/queue-limits, end to end on SQLite: the script as a user runs it (limits on the
 * queue, a task with a deadline, dedup, the record, dead letters, retention), then the same
 * limits from the CLI with a `gantry worker` that takes the queue's weight.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gantry, gantryJson } from '../cli/cli-helpers.js';
import { exampleDir, killAll, spawnGantry, spawnNode, tempDb, waitUntil, type Running } from './helpers.js';

const DIR = exampleDir('queue-limits');
const db = tempDb('gantry-ex-limits-');
const children: Running[] = [];

afterAll(() => {
  killAll(children);
  db.cleanup();
});

interface JobJson {
  id: string;
  state: string;
  timeoutMs: number | null;
  maxAttempts: number;
  deadline: string | null;
  result: unknown;
}

describe('examples/queue-limits', { timeout: 90_000 }, () => {
  it('main.js: limits on the queue, a task run to "done", its record, dedup, dead letters, retention', async () => {
    const run = await spawnNode('main.js', [], { cwd: DIR, env: { GANTRY_URL: db.url } }).exited;
    expect(run.code, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/^queue TEST: max run time 60 min, max tries 100, max concurrent 100, weight 10$/m);
    const id = /^enqueued (\S+): timeout 60 min, max attempts 100$/m.exec(out)?.[1];
    expect(id).toBeDefined();
    expect(out).toContain(`duplicate refused (UNIQUE_CONFLICT): the key is held by ${id}`);
    expect(out).toMatch(/^worker takes TEST with weight 10$/m);
    expect(out).toMatch(/^result: "done"$/m);
    const record = JSON.parse(/^\{\n[\s\S]*?\n\}$/m.exec(out)![0]) as JobJson & { payload: unknown; createdAt: string };
    expect(record).toMatchObject({
      id,
      state: 'completed',
      payload: { hello: 'world' },
      result: 'done',
      timeoutMs: 3_600_000,
      maxAttempts: 100,
    });
    expect(Date.parse(record.deadline!) - Date.parse(record.createdAt)).toBe(3_600_000);
    expect(out).toMatch(/^dead letter: \S+ broken failed: this task can never succeed$/m);
    expect(out).toMatch(/^retention deleted 1 finished job\(s\); the task is gone$/m);
  });

  it('the same limits from the CLI; a worker listing TEST without a weight takes 10', async () => {
    const q = await gantryJson<{ timeoutMs: number; maxAttempts: number; concurrency: number; weight: number }>(
      db.url,
      ['queues', 'set', 'TEST', '--timeout', '60m', '--max-attempts', '100', '--concurrency', '100', '--weight', '10'],
    );
    expect(q).toMatchObject({ timeoutMs: 3_600_000, maxAttempts: 100, concurrency: 100, weight: 10 });
    const deadline = new Date(Date.now() + 3_600_000).toISOString();
    const job = await gantryJson<JobJson>(db.url, [
      'enqueue',
      'example',
      '--queue',
      'TEST',
      '--payload',
      '{"hello":"world"}',
      '--deadline',
      deadline,
      '--unique-key',
      'example:cli',
    ]);
    expect(job).toMatchObject({ timeoutMs: 3_600_000, maxAttempts: 100, deadline });
    const dup = await gantry(['--url', db.url, 'enqueue', 'example', '--queue', 'TEST', '--unique-key', 'example:cli']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/UNIQUE_CONFLICT/);

    const w = spawnGantry(['worker', '--handlers', './handlers.js', '--queues', 'TEST', '--poll', '200ms'], {
      cwd: DIR,
      env: { GANTRY_URL: db.url },
    });
    children.push(w);
    await waitUntil(
      async () => (await gantryJson<JobJson>(db.url, ['jobs', 'show', job.id])).state === 'completed',
      'the worker to run the task',
    );
    expect(await gantryJson<JobJson>(db.url, ['jobs', 'show', job.id])).toMatchObject({ result: 'done' });
    const [info] = await gantryJson<{ queues: { name: string; weight: number }[] }[]>(db.url, ['workers', 'ls']);
    expect(info!.queues).toEqual([{ name: 'TEST', weight: 10 }]);
    const dead = await gantryJson<{ jobs: JobJson[] } | JobJson[]>(db.url, [
      'jobs',
      'ls',
      '--state',
      'failed,expired',
      '--queue',
      'TEST',
    ]);
    const deadJobs = Array.isArray(dead) ? dead : dead.jobs;
    expect(deadJobs.map((j) => j.state)).toEqual(['failed']);
    w.child.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
  });
});
