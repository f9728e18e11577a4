/**
 * `gantry migrate` on a new database of each engine (a PostgreSQL schema that does not exist
 * yet, a new SQLite file) and again on the migrated one; a PostgreSQL database that does not
 * exist is named, with how to create it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_URLS } from '../helpers/engines.js';
import { cliEngines, gantry } from './cli-helpers.js';

const { engines, cleanup, postgres: pgUp } = await cliEngines('cli_migrate');
afterAll(cleanup);

describe.each(engines)('gantry migrate (%s)', { timeout: 30_000 }, (engine, url) => {
  it('migrates a new database, then finds it up to date', async () => {
    const first = await gantry(['--url', url, 'migrate']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^schema migrated to version \d+\n$/);
    const again = await gantry(['--url', url, '--json', 'migrate']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ engine, migrated: false, version: expect.any(Number) });
  });
});

describe.skipIf(!pgUp)('a PostgreSQL database that does not exist', () => {
  it('is named, with how to create it', { timeout: 30_000 }, async () => {
    const db = `gantry_no_such_${randomBytes(4).toString('hex')}`;
    const u = new URL(TEST_URLS.postgres);
    u.pathname = `/${db}`;
    for (const args of [['migrate'], ['jobs', 'ls']]) {
      const r = await gantry(['--url', u.toString(), ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error [ENGINE_UNAVAILABLE]: PostgreSQL database "${db}" does not exist on`);
      expect(r.stderr).toContain(`createdb -h ${u.hostname} -p ${u.port} -U ${u.username} ${db}`);
    }
  });
});
