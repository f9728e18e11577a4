/**
 * `gantry migrate` on a new database of each engine (a PostgreSQL schema that does not exist
 * yet, a new SQLite file) and again on the migrated one; a PostgreSQL database that does not
 * exist is named, with how to create it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { gantry, tempDb } from './cli-helpers.js';

const sqlite = tempDb('gantry-migrate-');
const schema = `cli_migrate_${randomBytes(4).toString('hex')}`;
const pgUp = await engineAvailable('postgres');
const engines: [string, string][] = [
  ['sqlite', sqlite.url],
  ...(pgUp ? [['postgres', `${TEST_URLS.postgres}?schema=${schema}`] as [string, string]] : []),
];

afterAll(async () => {
  sqlite.cleanup();
  if (!pgUp) return;
  const admin = new pg.Client({ connectionString: TEST_URLS.postgres });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

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
