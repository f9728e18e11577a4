/**
 * `gantry schedules …` as a real process, and the cluster promise as real processes: three
 * `gantry worker`s on one SQLite file (and one PostgreSQL schema), each running the scheduler,
 * enqueue exactly one job per second of an `every 1 seconds` schedule.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openBackend } from '../../src/backend/open.js';
import type { Job } from '../../src/core/job.js';
import {
  fixture,
  gantry,
  gantryJson,
  killAll,
  spawnGantry,
  tempDb,
  waitUntil,
  type Running,
} from '../cli/cli-helpers.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';

const db = tempDb('gantry-sched-cli-');
const children: Running[] = [];
afterEach(() => killAll(children));
afterAll(() => db.cleanup());

interface ScheduleJson {
  name: string;
  spec: string;
  timezone: string;
  paused: boolean;
  misfire: string;
  template: { type: string; queue?: string; payload?: unknown };
  nextFireTimes: string[];
}

/** Every job a schedule fired, read straight from the store. */
async function scheduledJobs(url: string, name: string): Promise<Job[]> {
  const backend = await openBackend({ url });
  try {
    const { jobs } = await backend.jobsList({ limit: 1000 });
    return jobs.filter((j) => j.metadata.schedule === name);
  } finally {
    await backend.close();
  }
}

describe('gantry schedules', () => {
  it('adds, lists, pauses, resumes, triggers and removes schedules', async () => {
    const added = await gantryJson<ScheduleJson>(db.url, [
      'schedules',
      'add',
      'nightly',
      'every day at 02:30',
      'echo',
      '--payload',
      '{"n":1}',
      '--queue',
      'reports',
      '--tz',
      'Europe/Paris',
      '--misfire',
      'all',
      '--metadata',
      '{"team":"ops"}',
    ]);
    expect(added).toMatchObject({
      name: 'nightly',
      spec: 'every day at 02:30',
      timezone: 'Europe/Paris',
      misfire: 'all',
      template: { type: 'echo', queue: 'reports', payload: { n: 1 }, options: { metadata: { team: 'ops' } } },
    });
    expect(added.nextFireTimes).toHaveLength(3);
    for (const t of added.nextFireTimes) expect(['00:30', '01:30']).toContain(t.slice(11, 16)); // 02:30 Paris in UTC

    const table = await gantry(['--url', db.url, 'schedules', 'ls']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+SPEC\s+TZ\s+NEXT\s+LAST RUN\s+STATE/);
    expect(table.stdout).toMatch(
      /nightly\s+every day at 02:30\s+Europe\/Paris\s+\S+ 02:30:00, \S+ 02:30:00, \S+ 02:30:00\s+-\s+active/,
    );

    expect(await gantryJson<ScheduleJson>(db.url, ['schedules', 'pause', 'nightly'])).toMatchObject({ paused: true });
    expect((await gantry(['--url', db.url, 'schedules', 'resume', 'nightly'])).stdout).toBe('nightly resumed\n');
    const job = await gantryJson<{ id: string; type: string; queue: string; metadata: Record<string, unknown> }>(
      db.url,
      ['schedules', 'trigger', 'nightly'],
    );
    expect(job).toMatchObject({ type: 'echo', queue: 'reports', metadata: { schedule: 'nightly', team: 'ops' } });
    expect((await gantry(['--url', db.url, 'schedules', 'rm', 'nightly'])).code).toBe(0);
    const gone = await gantry(['--url', db.url, 'schedules', 'rm', 'nightly']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/NOT_FOUND/);
    expect(await gantryJson<unknown[]>(db.url, ['schedules', 'ls'])).toEqual([]);
  });

  it('previews a spec without a store, and refuses a bad one with exit code 2 and where', async () => {
    const nowhere = tempDb('gantry-sched-none-');
    const r = await gantry(['--url', nowhere.url, '--json', 'schedules', 'preview', 'every 15 seconds', '-n', '4']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { crons: string[]; timezone: string; next: string[] };
    expect(out).toMatchObject({ crons: ['*/15 * * * * *'], timezone: 'UTC' });
    expect(out.next).toHaveLength(4);
    for (const t of out.next) expect(Number(t.slice(17, 19)) % 15).toBe(0);
    const bad = await gantry(['schedules', 'preview', 'every day at 25:00']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('at word 4 "25:00" (column 14): expected a time like 09:30');
    const human = await gantry(['schedules', 'preview', 'every monday at 8am', '--tz', 'Asia/Tokyo', '-n', '2']);
    expect(human.stdout).toMatch(
      /^every monday at 8am {2}= {2}0 0 8 \* \* 1 {2}\(Asia\/Tokyo\)\n\S+ 08:00:00 {2}\S+T23:00:00.000Z\n/,
    );
    nowhere.cleanup();
  });
});

/** Three worker processes on one store fire an "every 1 seconds" schedule exactly once a second. */
async function threeWorkersFireOncePerSecond(mp: { url: string }): Promise<void> {
  await gantryJson(mp.url, ['schedules', 'add', 'tick', 'every 1 seconds', 'echo']);
  const start = (...extra: string[]): Running => {
    const w = spawnGantry([
      '--url',
      mp.url,
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
  const workers = [start(), start(), start()];
  await waitUntil(async () => (await scheduledJobs(mp.url, 'tick')).length >= 6, 'six fires', {
    timeoutMs: 30_000,
    intervalMs: 250,
  });
  for (const w of workers) w.child.kill('SIGTERM');
  const ended = await Promise.all(workers.map((w) => w.exited));
  for (const e of ended) expect(e.code, e.stderr).toBe(0);

  const times = (await scheduledJobs(mp.url, 'tick'))
    .map((j) => Date.parse(String(j.metadata.fireAt)))
    .sort((a, b) => a - b);
  expect(times.length).toBeGreaterThanOrEqual(6);
  expect(new Set(times).size).toBe(times.length); // no fire time twice
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000); // none missed
  for (const t of times) expect(t % 1000).toBe(0);
}

describe('three gantry worker processes', () => {
  it('enqueue exactly one job per second of an "every 1 seconds" schedule (SQLite)', { timeout: 60_000 }, async () => {
    const mp = tempDb('gantry-sched-mp-');
    try {
      await threeWorkersFireOncePerSecond(mp);
    } finally {
      mp.cleanup();
    }
  });

  it(
    'enqueue exactly one job per second of an "every 1 seconds" schedule (PostgreSQL)',
    { timeout: 60_000 },
    async (ctx) => {
      if (!(await engineAvailable('postgres'))) return ctx.skip();
      const schema = `sched_mp_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: TEST_URLS.postgres });
      await admin.connect();
      try {
        await threeWorkersFireOncePerSecond({ url: `${TEST_URLS.postgres}?schema=${schema}` });
      } finally {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
    },
  );

  it('do not fire with --no-scheduler', { timeout: 60_000 }, async () => {
    const mp = tempDb('gantry-sched-off-');
    try {
      await gantryJson(mp.url, ['schedules', 'add', 'tick', 'every 1 seconds', 'echo']);
      const w = spawnGantry(['--url', mp.url, 'worker', '--handlers', fixture('basic-handlers.mjs'), '--no-scheduler']);
      children.push(w);
      await waitUntil(
        async () => (await gantryJson<unknown[]>(mp.url, ['workers', 'ls'])).length === 1,
        'the worker to register',
        {
          intervalMs: 200,
        },
      );
      // A registered worker has run its startup; a second fire time passing proves nothing fired.
      const at = Date.now();
      await waitUntil(() => Date.now() - at > 2_100, 'two fire times to pass', { intervalMs: 100 });
      expect(await scheduledJobs(mp.url, 'tick')).toEqual([]);
      w.child.kill('SIGTERM');
      await w.exited;
    } finally {
      mp.cleanup();
    }
  });
});
