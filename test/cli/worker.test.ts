/**
 * `gantry worker` and `gantry jobs watch`, as real processes: handlers from a module run the
 * jobs, watch follows them live, workers ls shows the registration, SIGTERM stops cleanly.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fixture, gantry, gantryJson, killAll, spawnGantry, tempDb, waitUntil, type Running } from './cli-helpers.js';

const db = tempDb();
const children: Running[] = [];
afterEach(() => killAll(children));
afterAll(() => db.cleanup());

interface JobJson {
  id: string;
  state: string;
  attempts: number;
  result: unknown;
  progress: { percent: number; message?: string } | null;
  errors: { message: string; code?: string }[];
}

function startWorker(...extra: string[]): Running {
  const w = spawnGantry([
    '--url',
    db.url,
    'worker',
    '--handlers',
    fixture('basic-handlers.mjs'),
    '--poll',
    '100ms',
    '--log-format',
    'pretty',
    ...extra,
  ]);
  children.push(w);
  return w;
}

// Each test runs several node processes; on a loaded 2-core machine that takes a while.
describe('gantry worker', { timeout: 60_000 }, () => {
  it('runs jobs with the module’s handlers; watch follows one to its end; SIGTERM stops it', async () => {
    const w = startWorker('--concurrency', '2');
    // Until the worker has created the database file, reading it fails (it is not created by reads).
    await waitUntil(
      async () => (await gantryJson<unknown[]>(db.url, ['workers', 'ls']).catch(() => [])).length === 1,
      'the worker to register',
      {
        intervalMs: 200,
      },
    );
    const workers = await gantryJson<{ pid: number; concurrency: number; queues: { name: string }[] }[]>(db.url, [
      'workers',
      'ls',
    ]);
    expect(workers[0]).toMatchObject({ pid: w.child.pid, concurrency: 2, queues: [{ name: 'default' }] });

    const echo = await gantryJson<JobJson>(db.url, ['enqueue', 'echo', '--payload', '{"n":1}']);
    const slow = await gantryJson<JobJson>(db.url, ['enqueue', 'progress', '--payload', '{"steps":4,"stepMs":150}']);
    const watched = await gantry(['--url', db.url, 'jobs', 'watch', slow.id]);
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(/completed in .*: \{"steps":4\}\n$/);
    expect(watched.stdout).toMatch(/\[#+\] 100%/);

    const done = await gantryJson<JobJson>(db.url, ['jobs', 'show', echo.id]);
    expect(done).toMatchObject({ state: 'completed', attempts: 1, result: { echoed: { n: 1 } } });
    const shown = await gantryJson<JobJson>(db.url, ['jobs', 'show', slow.id]);
    expect(shown.progress).toEqual({ percent: 100, message: 'step 4/4' });

    w.child.kill('SIGTERM');
    const exit = await w.exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/worker stopped/);
    expect(await gantryJson<unknown[]>(db.url, ['workers', 'ls'])).toEqual([]);
  });

  it('watch --json prints events as JSON lines and the final job last; a failed job exits 1', async () => {
    startWorker();
    const job = await gantryJson<JobJson>(db.url, ['enqueue', 'fail', '--max-attempts', '1']);
    const r = await gantry(['--url', db.url, '--json', 'jobs', 'watch', job.id]);
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const final = lines.at(-1) as unknown as JobJson;
    expect(final).toMatchObject({ id: job.id, state: 'failed', attempts: 1 });
    expect(final.errors[0]!.message).toBe('this handler always fails');
    for (const e of lines.slice(0, -1)) expect(e).toMatchObject({ jobId: job.id });
  });

  it('watch follows a job deleted on completion to its end, with the result of its event', async () => {
    startWorker();
    // The job runs until the test opens its gate, once the watcher is seen following it: a job
    // deleted before anyone watched is gone with its result.
    const gate = `${db.file}.gate`;
    const job = await gantryJson<JobJson>(db.url, [
      'enqueue',
      'gate',
      '--payload',
      JSON.stringify({ file: gate, result: { steps: 3 } }),
      '--delete-on-complete',
    ]);
    const watch = spawnGantry(['--url', db.url, '--json', 'jobs', 'watch', job.id]);
    children.push(watch);
    await waitUntil(() => watch.stdout.includes('"job.progress"'), 'the watcher printing a progress event', {
      timeoutMs: 30_000,
    });
    writeFileSync(gate, '');
    const r = await watch.exited;
    expect(r.code, r.stderr).toBe(0);
    const final = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as JobJson;
    expect(final).toMatchObject({ id: job.id, state: 'completed', result: { steps: 3 }, deleteOnComplete: true });
    expect((await gantry(['--url', db.url, 'jobs', 'show', job.id])).stderr).toMatch(/NOT_FOUND/);
  });

  it('with --only-registered-types leaves other job types alone', async () => {
    const other = await gantryJson<JobJson>(db.url, ['enqueue', 'not.mine', '--queue', 'only']);
    const mine = await gantryJson<JobJson>(db.url, ['enqueue', 'echo', '--queue', 'only']);
    startWorker('--only-registered-types', '--queues', 'only');
    const r = await gantry(['--url', db.url, 'jobs', 'watch', mine.id]);
    expect(r.code, r.stderr).toBe(0);
    expect(await gantryJson<JobJson>(db.url, ['jobs', 'show', other.id])).toMatchObject({
      state: 'queued',
      attempts: 0,
    });
  });

  it('takes --prefetch and says so when it starts', async () => {
    const w = startWorker('--queues', 'pf', '--prefetch', '0');
    // Logs go to stderr, so stdout stays the program's own output.
    await waitUntil(() => w.stderr.includes('worker started'), 'the start line');
    expect(w.stderr).toMatch(/worker started .*"prefetch":0/);
    const bad = await gantry([
      '--url',
      db.url,
      'worker',
      '--handlers',
      fixture('basic-handlers.mjs'),
      '--prefetch',
      '-1',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--prefetch must be a whole number from 0/);
  });

  it('watch of a job that already ended prints its outcome at once', async () => {
    const job = await gantryJson<JobJson>(db.url, ['enqueue', 'echo']);
    await gantry(['--url', db.url, 'jobs', 'cancel', job.id]);
    const r = await gantry(['--url', db.url, 'jobs', 'watch', job.id]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^cancelled/m);
  });

  it('refuses a handlers module that does not exist (exit 2)', async () => {
    const r = await gantry(['--url', db.url, 'worker', '--handlers', 'nope/handlers.mjs']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error \[VALIDATION\]: --handlers: no file at .*nope\/handlers\.mjs/);
  });

  it('refuses a module whose default export is not a handler map (exit 2)', async () => {
    const r = await gantry(['--url', db.url, 'worker', '--handlers', fixture('not-handlers.mjs')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must default-export an object mapping job type to handler/);
  });

  it('requires --handlers, which may come from GANTRY_HANDLERS', async () => {
    const missing = await gantry(['--url', db.url, 'worker']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '--handlers <module>' not specified/);
    const fromEnv = await gantry(['--url', db.url, 'worker'], { env: { GANTRY_HANDLERS: 'from-env.mjs' } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toMatch(/--handlers: no file at .*from-env\.mjs/);
  });

  it('refuses malformed --queues and --concurrency (exit 2)', async () => {
    const q = await gantry(['--url', db.url, 'worker', '--handlers', fixture('basic-handlers.mjs'), '--queues', 'a:x']);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/--queues must look like "critical:6,default:3,low:1"/);
    const c = await gantry(['--url', db.url, 'worker', '--handlers', fixture('basic-handlers.mjs')], {
      env: { GANTRY_CONCURRENCY: '0' },
    });
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--concurrency must be a whole number from 1/);
  });
});
