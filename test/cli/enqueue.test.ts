/** `gantry enqueue`, run as a real process: output, --json shape, options, errors and exit codes. */
import { afterAll, describe, expect, it } from 'vitest';
import { gantry, gantryJson, tempDb } from './cli-helpers.js';
import { JOB_FIELD_NAMES } from '../../src/core/job-record.js';

const db = tempDb();
afterAll(() => db.cleanup());

/** Every field of the job record, which the JSON of a job carries. */
const JOB_FIELDS = [...JOB_FIELD_NAMES].sort();

type JobJson = Record<string, unknown> & { id: string; state: string; runAt: string; createdAt: string };

// Each test runs several node processes; on a loaded 2-core machine that takes a while.
describe('gantry enqueue', { timeout: 60_000 }, () => {
  it('prints the new id, and the job is stored', async () => {
    const r = await gantry(['--url', db.url, 'enqueue', 'email.send', '--payload', '{"to":"ada@example.com"}']);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const job = await gantryJson<JobJson>(db.url, ['jobs', 'show', id]);
    expect(job).toMatchObject({ id, type: 'email.send', payload: { to: 'ada@example.com' }, state: 'queued' });
  });

  it('with --json prints the job with the job record field names and ISO times', async () => {
    const job = await gantryJson<JobJson>(db.url, ['enqueue', 'report.build', '--payload', '[1,2,3]']);
    expect(Object.keys(job).sort()).toEqual(JOB_FIELDS);
    expect(job).toMatchObject({
      type: 'report.build',
      queue: 'default',
      payload: [1, 2, 3],
      priority: 0,
      state: 'queued',
      attempts: 0,
      maxAttempts: 25,
      errors: [],
      result: null,
    });
    expect(new Date(job.createdAt).toISOString()).toBe(job.createdAt);
    expect(new Date(job.runAt).toISOString()).toBe(job.runAt);
  });

  it('maps every option flag onto the job', async () => {
    const deadline = new Date(Date.now() + 3600_000).toISOString();
    const job = await gantryJson<JobJson>(db.url, [
      'enqueue',
      'email.send',
      '--queue',
      'emails',
      '--priority',
      'high',
      '--delay',
      '10s',
      '--max-attempts',
      '3',
      '--timeout',
      '30s',
      '--deadline',
      deadline,
      '--unique-key',
      'welcome:ada',
      '--backoff',
      '2s',
      '--tag',
      'signup',
      '--tag',
      'welcome',
      '--delete-on-complete',
    ]);
    expect(job).toMatchObject({
      queue: 'emails',
      priority: 10,
      state: 'scheduled',
      maxAttempts: 3,
      timeoutMs: 30_000,
      deadline,
      uniqueKey: 'welcome:ada',
      backoff: { type: 'fixed', delayMs: 2000 },
      tags: ['signup', 'welcome'],
      deleteOnComplete: true,
    });
    const delay = new Date(job.runAt).getTime() - new Date(job.createdAt).getTime();
    expect(delay).toBe(10_000);
  });

  it('accepts --run-at and integer priorities', async () => {
    const runAt = new Date(Date.now() + 60_000).toISOString();
    const job = await gantryJson<JobJson>(db.url, ['enqueue', 'x', '--run-at', runAt, '--priority', '-5']);
    expect(job).toMatchObject({ runAt, priority: -5, state: 'scheduled' });
  });

  it('is idempotent on --id', async () => {
    const a = await gantryJson<JobJson>(db.url, ['enqueue', 'x', '--id', 'order-42']);
    const b = await gantryJson<JobJson>(db.url, ['enqueue', 'x', '--id', 'order-42', '--payload', '1']);
    expect(b.id).toBe('order-42');
    expect(b.createdAt).toBe(a.createdAt);
  });

  it('refuses a second live job with the same unique key: exit 1, code on stderr', async () => {
    await gantryJson(db.url, ['enqueue', 'x', '--unique-key', 'only-one']);
    const r = await gantry(['--url', db.url, 'enqueue', 'x', '--unique-key', 'only-one']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error \[UNIQUE_CONFLICT\]: unique key "only-one" is held by job /);
  });

  it.each([
    [['--payload', '{not json'], /--payload must be JSON/],
    [['--priority', 'urgent'], /priority must be an integer .* or one of critical, high, normal, low/],
    [['--delay', 'soon'], /delay must be a duration/],
    [['--run-at', 'tomorrow'], /runAt must be a date/],
    [['--max-attempts', '0'], /--max-attempts must be a whole number from 1 to 1000/],
    [['--delay', '1s', '--run-at', '2030-01-01T00:00:00Z'], /either delay or runAt/],
    [['--delete-on-complete', '--unique-key', 'k', '--unique-window', '1h'], /cannot be used together/],
  ])('refuses bad input %j with exit 2 and a message', async (flags, message) => {
    const r = await gantry(['--url', db.url, 'enqueue', 'x', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error \[VALIDATION\]: /);
    expect(r.stderr).toMatch(message);
  });

  it('refuses a bad type name', async () => {
    const r = await gantry(['--url', db.url, 'enqueue', 'bad type!']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/type must be 1-128 characters/);
  });

  it('with --json reports errors as JSON on stderr', async () => {
    const r = await gantry(['--url', db.url, '--json', 'enqueue', 'x', '--priority', 'urgent']);
    expect(r.code).toBe(2);
    const err = JSON.parse(r.stderr) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('VALIDATION');
    expect(err.error.message).toMatch(/priority/);
  });

  it('reads the engine URL from GANTRY_URL', async () => {
    const r = await gantry(['enqueue', 'from.env'], { env: { GANTRY_URL: db.url } });
    expect(r.code, r.stderr).toBe(0);
    const job = await gantryJson<JobJson>(db.url, ['jobs', 'show', r.stdout.trim()]);
    expect(job.type).toBe('from.env');
  });

  it('refuses an unknown engine URL with exit 2', async () => {
    const r = await gantry(['--url', 'mysql://localhost/x', 'enqueue', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error \[UNSUPPORTED_URL\]/);
  });

  it('a missing argument is a usage error (exit 2)', async () => {
    const r = await gantry(['--url', db.url, 'enqueue']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'type'/);
  });
});
