/**
 * Retention from the CLI and the environment: a worker started with GANTRY_RETAIN_COMPLETED
 * deletes completed jobs older than that on its first maintenance pass; failed jobs keep their
 * own retention.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fixture, gantry, gantryJson, killAll, spawnGantry, tempDb, waitUntil, type Running } from './cli-helpers.js';

const db = tempDb('gantry-retention-');
const children: Running[] = [];
afterEach(() => killAll(children));
afterAll(() => db.cleanup());

function worker(env: Record<string, string> = {}, ...extra: string[]): Running {
  const w = spawnGantry(
    ['--url', db.url, 'worker', '--handlers', fixture('basic-handlers.mjs'), '--poll', '100ms', ...extra],
    { env },
  );
  children.push(w);
  return w;
}

const state = async (id: string): Promise<string | null> => {
  const r = await gantry(['--url', db.url, '--json', 'jobs', 'show', id]);
  return r.code === 0 ? (JSON.parse(r.stdout) as { state: string }).state : null;
};

describe('retention settings', { timeout: 60_000 }, () => {
  it('GANTRY_RETAIN_COMPLETED and --retain-failed set how long finished jobs are kept', async () => {
    const done = await gantryJson<{ id: string }>(db.url, ['enqueue', 'echo']);
    const failed = await gantryJson<{ id: string }>(db.url, ['enqueue', 'fail', '--max-attempts', '1']);
    const first = worker();
    await waitUntil(async () => (await state(done.id)) === 'completed', 'the job to complete');
    await waitUntil(async () => (await state(failed.id)) === 'failed', 'the other job to fail');
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    // Completed jobs are kept 1 ms, failed ones a day: only the completed one goes.
    const second = worker({ GANTRY_RETAIN_COMPLETED: '1ms' }, '--retain-failed', '1d');
    await waitUntil(async () => (await state(done.id)) === null, 'retention to delete the completed job');
    expect(await state(failed.id)).toBe('failed');
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('refuses a retention that is not a duration', async () => {
    const r = await gantry([
      '--url',
      db.url,
      'worker',
      '--handlers',
      fixture('basic-handlers.mjs'),
      '--retain-completed',
      'soon',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--retain-completed/);
  });
});
