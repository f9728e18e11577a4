/**
 * A command that reads or operates on a mistyped SQLite path says the file does not exist and
 * creates nothing; a command that adds something (enqueue) creates the file as before.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gantry, tempDb } from './cli-helpers.js';

const db = tempDb('gantry-missing-');
afterAll(() => db.cleanup());

describe('a SQLite path that does not exist', { timeout: 60_000 }, () => {
  const file = path.join(db.dir, 'typo.db');
  const url = `sqlite:${file}`;

  it.each([
    [['jobs', 'ls']],
    [['jobs', 'show', '0193e0a0-0000-7000-8000-000000000000']],
    [['queues', 'ls']],
    [['queues', 'pause', 'emails']],
    [['workers', 'ls']],
    [['schedules', 'ls']],
  ])('gantry %j says the file does not exist and creates nothing', async (args) => {
    const r = await gantry(['--url', url, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error [ENGINE_UNAVAILABLE]: SQLite file ${JSON.stringify(file)} does not exist; check --url or GANTRY_URL ` +
        '(commands that write, such as gantry enqueue, gantry worker or gantry migrate, create it)\n',
    );
    expect(existsSync(file)).toBe(false);
  });

  it('is created by enqueue, and read afterwards', async () => {
    const e = await gantry(['--url', url, 'enqueue', 'hello']);
    expect(e.code, e.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    const r = await gantry(['--url', url, '--json', 'jobs', 'ls']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { jobs: unknown[] }).jobs).toHaveLength(1);
  });
});
