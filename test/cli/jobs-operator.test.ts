/**
 * `gantry jobs promote`, short ids, and what `jobs watch` says while a job waits, run as real
 * processes on a temp SQLite file.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { gantry, gantryJson, killAll, spawnGantry, tempDb, waitUntil, type Running } from './cli-helpers.js';

const db = tempDb();
afterAll(() => db.cleanup());
const children: Running[] = [];
afterEach(() => killAll(children));

interface JobJson {
  id: string;
  state: string;
  runAt: string;
}

const enqueue = (...args: string[]): Promise<JobJson> => gantryJson<JobJson>(db.url, ['enqueue', ...args]);

describe('gantry jobs: run now, short ids, watch while waiting', { timeout: 60_000 }, () => {
  it('jobs promote runs a delayed job now and refuses a queued one', async () => {
    const later = await enqueue('report.build', '--queue', 'reports', '--delay', '1h');
    expect(later.state).toBe('scheduled');
    const promoted = await gantryJson<JobJson>(db.url, ['jobs', 'promote', later.id]);
    expect(promoted).toMatchObject({ id: later.id, state: 'queued' });
    expect(Date.parse(promoted.runAt)).toBeLessThan(Date.parse(later.runAt));
    const again = await gantry(['--url', db.url, 'jobs', 'promote', later.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error \[INVALID_TRANSITION\]: job .* cannot go from queued to queued: it is due/);
  });

  it('takes short ids as printed by gantry dev and the dashboard, and names the jobs when several match', async () => {
    const job = await enqueue('email.send', '--queue', 'short');
    const tail = job.id.slice(-8);
    for (const short of [`…${tail}`, `...${tail}`, tail]) {
      const shown = await gantryJson<JobJson>(db.url, ['jobs', 'show', short]);
      expect(shown.id, short).toBe(job.id);
    }
    const cancelled = await gantry(['--url', db.url, 'jobs', 'cancel', `…${tail}`]);
    expect(cancelled.stdout).toBe(`${job.id} cancelled\n`);
    const removed = await gantryJson<{ id: string }>(db.url, ['jobs', 'rm', tail]);
    expect(removed.id).toBe(job.id);

    await enqueue('a.b', '--id', 'order-1-cafe1234');
    await enqueue('a.b', '--id', 'order-2-cafe1234');
    const amb = await gantry(['--url', db.url, 'jobs', 'show', '…cafe1234']);
    expect(amb.code).toBe(2);
    expect(amb.stderr).toMatch(/AMBIGUOUS_ID.*order-[12]-cafe1234, order-[12]-cafe1234/);
    const none = await gantry(['--url', db.url, 'jobs', 'show', '…00000000']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/NOT_FOUND/);
  });

  it('jobs watch says when a delayed job runs, and that no live worker takes a queued one', async () => {
    const later = await enqueue('report.build', '--queue', 'nobody', '--delay', '2h');
    const w1 = spawnGantry(['--url', db.url, 'jobs', 'watch', later.id]);
    children.push(w1);
    await waitUntil(() => /runs at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(w1.stdout), 'the run time of the delayed job');
    await gantry(['--url', db.url, 'jobs', 'promote', later.id]);
    await waitUntil(
      () => w1.stdout.includes('no live worker takes queue nobody; start one with: gantry worker --queues nobody'),
      'the warning that no worker serves the queue',
    );
    await gantry(['--url', db.url, 'queues', 'pause', 'nobody']);
    const w2 = spawnGantry(['--url', db.url, 'jobs', 'watch', later.id]);
    children.push(w2);
    await waitUntil(() => w2.stdout.includes('queue nobody is paused'), 'the note that the queue is paused');
    const w3 = spawnGantry(['--url', db.url, '--json', 'jobs', 'watch', later.id]);
    children.push(w3);
    await waitUntil(() => w3.stderr.startsWith('warning: queue nobody is paused'), 'the warning on stderr with --json');
    expect(w3.stdout).toBe('');
  });
});
