/**
 * examples/recurring-web, end to end: the Fastify app and two lane workers with `--event-log`
 * as real processes on one SQLite file. Jobs enqueued now and at a time run; the recurring
 * schedule exists (and is triggered rather than waited for); each worker takes the weights
 * set on the queues; the JSONL log holds every job event, completions with their results.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GantryEvent } from '../../src/core/events.js';
import { gantryJson } from '../cli/cli-helpers.js';
import { exampleDir, http, killAll, spawnGantry, spawnNode, tempDb, waitUntil, type Running } from './helpers.js';

const DIR = exampleDir('recurring-web');
const db = tempDb('gantry-ex-recurring-');
const logs = path.join(db.dir, 'logs');
const children: Running[] = [];
const env = { GANTRY_URL: db.url };

/** Every event line the workers wrote so far. */
function logged(): GantryEvent[] {
  if (!existsSync(logs)) return [];
  return readdirSync(logs).flatMap((f) =>
    readFileSync(path.join(logs, f), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as GantryEvent),
  );
}

const completed = (id: string): GantryEvent | undefined =>
  logged().find((e) => e.jobId === id && e.type === 'job.completed');

afterAll(() => {
  killAll(children);
  db.cleanup();
});

describe('examples/recurring-web', { timeout: 90_000 }, () => {
  let base = '';
  let both: Running;
  let background: Running;

  beforeAll(async () => {
    const app = spawnNode('app.js', [], { cwd: DIR, env: { ...env, PORT: '0' } });
    children.push(app);
    await waitUntil(() => /listening on (http:\S+)/.test(app.stdout), 'the app to listen', { timeoutMs: 30_000 });
    base = /listening on (http:\S+)/.exec(app.stdout)![1]!;
    const worker = (queues: string): Running => {
      const w = spawnGantry(
        ['worker', '--handlers', './handlers.js', '--queues', queues, '--event-log', logs, '--poll', '200ms'],
        { cwd: DIR, env },
      );
      children.push(w);
      return w;
    };
    both = worker('interactive,background');
    background = worker('background');
    await waitUntil(
      async () => (await gantryJson<unknown[]>(db.url, ['workers', 'ls'])).length === 2,
      'both workers to register',
      { timeoutMs: 30_000 },
    );
  }, 60_000);

  it('each lane worker takes the weights set on the queues', async () => {
    const workers = await gantryJson<{ pid: number; queues: { name: string; weight: number }[] }[]>(db.url, [
      'workers',
      'ls',
    ]);
    const byPid = new Map(workers.map((w) => [w.pid, w.queues]));
    expect(byPid.get(both.child.pid!)).toEqual([
      { name: 'interactive', weight: 5 },
      { name: 'background', weight: 1 },
    ]);
    expect(byPid.get(background.child.pid!)).toEqual([{ name: 'background', weight: 1 }]);
  });

  it('POST /schedule-job runs hello with the name now; the event log has its completion and result', async () => {
    const r = await http<{ id: string; state: string }>(base, 'POST', '/schedule-job', { Name: 'Ada' });
    expect(r.status).toBe(201);
    expect(r.body.state).toBe('queued');
    await waitUntil(() => completed(r.body.id) !== undefined, 'the completion in the event log');
    expect(completed(r.body.id)).toMatchObject({ queue: 'interactive', result: 'Hello, Ada!' });
    // Only the worker of both lanes serves `interactive`; its output may come after the log line.
    await waitUntil(() => both.stdout.includes('Hello, Ada!'), 'the greeting on the worker’s output');
    expect(background.stdout).not.toContain('Hello, Ada!');
    const types = logged()
      .filter((e) => e.jobId === r.body.id)
      .map((e) => e.type);
    // Both workers log every event (the log is cluster-wide), so each type shows up twice.
    expect(new Set(types)).toEqual(new Set(['job.enqueued', 'job.started', 'job.completed']));
    expect((await http(base, 'POST', '/schedule-job', {})).status).toBe(400);
  });

  it('POST /schedule-job-at runs it at the given time, not before', async () => {
    const at = new Date(Date.now() + 1500).toISOString();
    const r = await http<{ id: string; state: string }>(base, 'POST', '/schedule-job-at', { Name: 'Grace', at });
    expect(r.status).toBe(201);
    expect(r.body.state).toBe('scheduled');
    await waitUntil(() => completed(r.body.id) !== undefined, 'the timed job to complete');
    const job = (await http<{ startedAt: string; result: string }>(base, 'GET', `/jobs/${r.body.id}`)).body;
    expect(Date.parse(job.startedAt)).toBeGreaterThanOrEqual(Date.parse(at));
    expect(job.result).toBe('Hello, Grace!');
    expect((await http(base, 'POST', '/schedule-job-at', { Name: 'x', at: 'someday' })).status).toBe(400);
  });

  it('keeps an every-minute schedule on the background lane', async () => {
    const [s] = await gantryJson<{ name: string; spec: string; nextFireTimes: string[] }[]>(db.url, [
      'schedules',
      'ls',
    ]);
    expect(s).toMatchObject({ name: 'hello-every-minute', spec: 'every 1 minutes' });
    const [t1, t2] = s!.nextFireTimes.map((t) => Date.parse(t));
    expect(t2! - t1!).toBe(60_000);
    const fired = await gantryJson<{ id: string; queue: string }>(db.url, [
      'schedules',
      'trigger',
      'hello-every-minute',
    ]);
    expect(fired.queue).toBe('background');
    await waitUntil(() => completed(fired.id) !== undefined, 'the triggered job to complete');
    expect(completed(fired.id)).toMatchObject({ result: 'Hello, every minute!' });
  });
});
