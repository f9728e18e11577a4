/**
 * `gantry jobs|queues|workers|migrate`, run as real processes on a temp SQLite file: tables,
 * --json shapes, state changes, errors and exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gantry, gantryJson, tempDb } from './cli-helpers.js';

const db = tempDb();
afterAll(() => db.cleanup());

interface JobJson {
  id: string;
  type: string;
  queue: string;
  state: string;
  attempts: number;
}
interface Page {
  jobs: JobJson[];
  nextCursor: string | null;
}

const enqueue = async (...args: string[]): Promise<JobJson> => gantryJson<JobJson>(db.url, ['enqueue', ...args]);

// Each test runs several node processes; on a loaded 2-core machine that takes a while.
describe('gantry jobs, queues, workers, migrate', { timeout: 60_000 }, () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ids.a = (await enqueue('email.send', '--queue', 'emails')).id;
    ids.b = (await enqueue('email.send', '--queue', 'emails', '--delay', '1h')).id;
    ids.c = (await enqueue('report.build', '--queue', 'reports')).id;
  });

  it('jobs ls prints an aligned table, newest first', async () => {
    const r = await gantry(['--url', db.url, 'jobs', 'ls']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+QUEUE\s+STATE\s+PRIORITY\s+ATTEMPTS\s+PROGRESS\s+CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([ids.c, ids.b, ids.a]);
    // Aligned: every row's STATE column starts where the header's does.
    const col = lines[0]!.indexOf('STATE');
    expect(lines[1]!.slice(col).startsWith('queued')).toBe(true);
    expect(lines[2]!.slice(col).startsWith('scheduled')).toBe(true);
  });

  it('jobs ls filters by state, queue and type, and pages with --limit/--cursor', async () => {
    const byQueue = await gantryJson<Page>(db.url, ['jobs', 'ls', '--queue', 'emails']);
    expect(byQueue.jobs.map((j) => j.id).sort()).toEqual([ids.a, ids.b].sort());
    const byState = await gantryJson<Page>(db.url, ['jobs', 'ls', '--state', 'scheduled']);
    expect(byState.jobs.map((j) => j.id)).toEqual([ids.b]);
    const byType = await gantryJson<Page>(db.url, ['jobs', 'ls', '--type', 'report.build,nothing']);
    expect(byType.jobs.map((j) => j.id)).toEqual([ids.c]);
    const page1 = await gantryJson<Page>(db.url, ['jobs', 'ls', '--limit', '2']);
    expect(page1.jobs).toHaveLength(2);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await gantryJson<Page>(db.url, ['jobs', 'ls', '--limit', '2', '--cursor', page1.nextCursor!]);
    expect(page2.jobs.map((j) => j.id)).toEqual([ids.a]);
  });

  it('jobs ls refuses an unknown state with exit 2', async () => {
    const r = await gantry(['--url', db.url, 'jobs', 'ls', '--state', 'done']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/state must be one of scheduled, queued/);
  });

  it('jobs show prints the fields for people and the job with --json', async () => {
    const r = await gantry(['--url', db.url, 'jobs', 'show', ids.a!]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^id\\s+${ids.a}$`, 'm'));
    expect(r.stdout).toMatch(/^queue\s+emails$/m);
    expect(r.stdout).toMatch(/^attempts\s+0\/25$/m);
    const j = await gantryJson<JobJson>(db.url, ['jobs', 'show', ids.a!]);
    expect(j).toMatchObject({ id: ids.a, type: 'email.send', queue: 'emails', state: 'queued' });
  });

  it('jobs show of an unknown id fails with NOT_FOUND and exit 1', async () => {
    const r = await gantry(['--url', db.url, 'jobs', 'show', 'no-such-job']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error [NOT_FOUND]: job "no-such-job" does not exist (it may have been deleted by retention, or when it completed if it was enqueued with deleteOnComplete)\n',
    );
  });

  it('jobs cancel, retry and rm move a job through its states', async () => {
    const { id } = await enqueue('cleanup');
    const cancelled = await gantry(['--url', db.url, 'jobs', 'cancel', id]);
    expect(cancelled.stdout).toBe(`${id} cancelled\n`);
    const retried = await gantryJson<JobJson>(db.url, ['jobs', 'retry', id]);
    expect(retried).toMatchObject({ id, state: 'queued', attempts: 0 });

    const refused = await gantry(['--url', db.url, 'jobs', 'rm', id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error \[INVALID_TRANSITION\]/);

    const forced = await gantryJson<{ id: string; deleted: boolean }>(db.url, ['jobs', 'rm', id, '--force']);
    expect(forced).toEqual({ id, deleted: true });
    expect((await gantry(['--url', db.url, 'jobs', 'show', id])).code).toBe(1);
  });

  it('jobs retry of a live job is refused with INVALID_TRANSITION', async () => {
    const r = await gantry(['--url', db.url, 'jobs', 'retry', ids.a!]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[INVALID_TRANSITION\]: job .* cannot go from queued to queued/);
  });

  it('queues ls shows counts by state; pause and resume change it', async () => {
    const r = await gantry(['--url', db.url, 'queues', 'ls']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^QUEUE\s+STATUS\s+SCHEDULED\s+QUEUED\s+RUNNING\s+RETRYING\s+COMPLETED/);
    expect(r.stdout).toMatch(/^emails\s+active\s+1\s+1\s+0\s+0\s+0\s+0\s+0\s+0/m);

    const paused = await gantryJson<{ name: string; paused: boolean }>(db.url, ['queues', 'pause', 'emails']);
    expect(paused).toMatchObject({ name: 'emails', paused: true });
    const list = await gantryJson<{ name: string; paused: boolean; counts: Record<string, number> }[]>(db.url, [
      'queues',
      'ls',
    ]);
    const emails = list.find((q) => q.name === 'emails');
    expect(emails).toMatchObject({ paused: true, counts: { queued: 1, scheduled: 1, running: 0 } });
    const resumed = await gantry(['--url', db.url, 'queues', 'resume', 'emails']);
    expect(resumed.stdout).toBe('emails resumed\n');
  });

  it('workers ls is empty when no worker runs', async () => {
    const r = await gantry(['--url', db.url, 'workers', 'ls']);
    expect(r.stdout).toBe('(no workers)\n');
    expect(await gantryJson(db.url, ['workers', 'ls'])).toEqual([]);
  });

  it('migrate reports the schema version', async () => {
    const out = await gantryJson<{ engine: string; migrated: boolean; version: number }>(db.url, ['migrate']);
    expect(out).toMatchObject({ engine: 'sqlite', migrated: false });
    expect(out.version).toBeGreaterThanOrEqual(1);
    expect((await gantry(['--url', db.url, 'migrate'])).stdout).toBe(`schema is up to date (version ${out.version})\n`);
  });

  it('migrate creates the schema of a new database', async () => {
    const fresh = tempDb();
    try {
      const out = await gantryJson<{ migrated: boolean; version: number }>(fresh.url, ['migrate']);
      expect(out.migrated).toBe(true);
      expect(out.version).toBeGreaterThanOrEqual(1);
    } finally {
      fresh.cleanup();
    }
  });

  it('an unknown command is a usage error (exit 2)', async () => {
    const r = await gantry(['--url', db.url, 'jobz']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'jobz'/);
  });
});
