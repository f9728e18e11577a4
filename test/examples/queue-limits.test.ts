/**
 * examples/queue-limits, end to end on SQLite and on NATS JetStream (the same script, only
 * GANTRY_URL differs): the script as a user runs it (limits on the queue, a task with a
 * deadline, dedup, the record, dead letters, retention), then the same limits from the CLI with
 * a `gantry worker` that takes the queue's weight.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { gantry, gantryJson } from '../cli/cli-helpers.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { dropNatsPrefix } from '../helpers/nats.js';
import { exampleDir, killAll, spawnGantry, spawnNode, tempDb, waitUntil, type Running } from './helpers.js';

const DIR = exampleDir('queue-limits');
const db = tempDb('gantry-ex-limits-');
const natsUp = await engineAvailable('nats');
// A prefix of this run: its streams and buckets are new, and removed afterwards.
const natsPrefix = `exlimits${randomBytes(4).toString('hex')}`;
const children: Running[] = [];

afterAll(async () => {
  killAll(children);
  db.cleanup();
  if (natsUp) await dropNatsPrefix(TEST_URLS.nats, natsPrefix);
});

interface JobJson {
  id: string;
  state: string;
  timeoutMs: number | null;
  maxAttempts: number;
  deadline: string | null;
  result: unknown;
}

const engines = [
  { engine: 'sqlite', url: db.url, up: true },
  { engine: 'nats', url: `${TEST_URLS.nats}?prefix=${natsPrefix}`, up: natsUp },
];

describe.each(engines)('examples/queue-limits on $engine', { timeout: 90_000 }, ({ url, up }) => {
  it.skipIf(!up)(
    'main.js: limits on the queue, a task run to "done", its record, dedup, dead letters, retention',
    async () => {
      const run = await spawnNode('main.js', [], { cwd: DIR, env: { GANTRY_URL: url } }).exited;
      expect(run.code, run.stderr).toBe(0);
      const out = run.stdout;
      expect(out).toMatch(/^queue TEST: max run time 60 min, max tries 100, max concurrent 100, weight 10$/m);
      const id = /^enqueued (\S+): timeout 60 min, max attempts 100$/m.exec(out)?.[1];
      expect(id).toBeDefined();
      expect(out).toContain(`duplicate refused (UNIQUE_CONFLICT): the key is held by ${id}`);
      expect(out).toMatch(/^worker takes TEST with weight 10$/m);
      expect(out).toMatch(/^result: "done"$/m);
      const record = JSON.parse(/^\{\n[\s\S]*?\n\}$/m.exec(out)![0]) as JobJson & {
        payload: unknown;
        createdAt: string;
      };
      expect(record).toMatchObject({
        id,
        state: 'completed',
        payload: { hello: 'world' },
        result: 'done',
        timeoutMs: 3_600_000,
        maxAttempts: 100,
      });
      // The deadline is taken an hour after the script's own clock read, just before the enqueue.
      const ahead = Date.parse(record.deadline!) - Date.parse(record.createdAt);
      expect(ahead).toBeLessThanOrEqual(3_600_000);
      expect(ahead).toBeGreaterThan(3_590_000);
      expect(out).toMatch(/^dead letter: \S+ broken failed: this task can never succeed$/m);
      expect(out).toMatch(/^retention deleted 1 finished job\(s\); the task is gone$/m);
    },
  );

  it.skipIf(!up)('the same limits from the CLI; a worker listing TEST without a weight takes 10', async () => {
    const q = await gantryJson<{ timeoutMs: number; maxAttempts: number; concurrency: number; weight: number }>(url, [
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
    expect(q).toMatchObject({ timeoutMs: 3_600_000, maxAttempts: 100, concurrency: 100, weight: 10 });
    const deadline = new Date(Date.now() + 3_600_000).toISOString();
    const job = await gantryJson<JobJson>(url, [
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
    const dup = await gantry(['--url', url, 'enqueue', 'example', '--queue', 'TEST', '--unique-key', 'example:cli']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/UNIQUE_CONFLICT/);

    const w = spawnGantry(['worker', '--handlers', './handlers.js', '--queues', 'TEST', '--poll', '200ms'], {
      cwd: DIR,
      env: { GANTRY_URL: url },
    });
    children.push(w);
    await waitUntil(
      async () => (await gantryJson<JobJson>(url, ['jobs', 'show', job.id])).state === 'completed',
      'the worker to run the task',
    );
    expect(await gantryJson<JobJson>(url, ['jobs', 'show', job.id])).toMatchObject({ result: 'done' });
    const [info] = await gantryJson<{ queues: { name: string; weight: number }[] }[]>(url, ['workers', 'ls']);
    expect(info!.queues).toEqual([{ name: 'TEST', weight: 10 }]);
    const dead = await gantryJson<{ jobs: JobJson[] } | JobJson[]>(url, [
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
