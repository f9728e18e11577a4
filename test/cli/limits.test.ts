/**
 * The CLI refuses what the API refuses, with the core's messages: numbers out of range, names
 * over the one name limit, and "not found" that only speaks of retention for a job.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gantry, gantryJson, tempDb } from './cli-helpers.js';

const db = tempDb();
afterAll(() => db.cleanup());

const run = (...args: string[]) => gantry(['--url', db.url, ...args]);

// Each test runs node processes; on a loaded 2-core machine that takes a while.
describe('gantry limits', { timeout: 60_000 }, () => {
  it.each([
    [['--timeout', '1.5'], 'error [VALIDATION]: timeout must be a whole number of ms, got "1.5"\n'],
    [
      ['--delay', '1000000000d'],
      'error [VALIDATION]: delay must be at most 3153600000000 ms (100 years), got "1000000000d"\n',
    ],
    [
      ['--deadline', '-100000-01-01T00:00:00Z'],
      'error [VALIDATION]: deadline must be between 0001-01-01 and 9999-12-31 (UTC), got "-100000-01-01T00:00:00Z"\n',
    ],
    [
      ['--backoff', '1s,99999999999d'],
      'error [VALIDATION]: backoff[1] must be at most 3153600000000 ms (100 years), got "99999999999d"\n',
    ],
  ])('enqueue %j fails with the core message as a usage error (exit 2)', async (flags, stderr) => {
    const r = await run('enqueue', 't', ...flags);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr });
  });

  it('reads --backoff text with the core parser the API uses', async () => {
    const job = await gantryJson<{ backoff: unknown }>(db.url, ['enqueue', 't', '--backoff', '500ms']);
    expect(job.backoff).toEqual({ type: 'fixed', delayMs: 500 });
  });

  it('refuses an id over 128 characters, and speaks of retention only for jobs', async () => {
    const long = await run('jobs', 'show', 'i'.repeat(129));
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/^error \[VALIDATION\]: id must be 1-128 characters/);
    const schedule = await run('schedules', 'rm', 'nosuch');
    expect({ code: schedule.code, stderr: schedule.stderr }).toEqual({
      code: 1,
      stderr: 'error [NOT_FOUND]: schedule "nosuch" does not exist (list the schedules to see their names)\n',
    });
  });
});
