/**
 * Each SQL engine's `jobs` table against the job record (src/core/job-record.ts): every field
 * has its column, of the type its kind is stored as, nullable exactly when the field is, and the
 * table has no column the record does not describe.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { JOB_FIELDS, JOB_FIELD_NAMES, type JobFieldSpec } from '../../src/core/job-record.js';
import { openPostgresBackend } from '../../src/engines/postgres/index.js';
import { openSqliteBackend } from '../../src/engines/sqlite/index.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';

/** column -> [type, nullable], as the record says each engine stores it. */
function expected(typeOf: (spec: JobFieldSpec) => string): Record<string, [string, boolean]> {
  return Object.fromEntries(
    JOB_FIELD_NAMES.map((f) => {
      const spec: JobFieldSpec = JOB_FIELDS[f];
      return [spec.column, [typeOf(spec), spec.nullable]];
    }),
  );
}

describe('the jobs table of each SQL engine matches the job record', () => {
  it('sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-record-'));
    const file = join(dir, 'r.db');
    const backend = await openSqliteBackend({ url: `sqlite:${file}` });
    await backend.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file, { readonly: true });
    const cols = db.prepare('PRAGMA table_info(jobs)').all() as {
      name: string;
      type: string;
      notnull: number;
      pk: number;
    }[];
    db.close();
    rmSync(dir, { recursive: true, force: true });
    // A primary key is never null (SQLite's table_info leaves notnull 0 for a TEXT one).
    const actual = Object.fromEntries(cols.map((c) => [c.name, [c.type.toUpperCase(), c.notnull === 0 && c.pk === 0]]));
    const sqliteType = (s: JobFieldSpec): string =>
      s.kind === 'int' || s.kind === 'bool' || s.kind === 'time' ? 'INTEGER' : 'TEXT';
    expect(actual).toEqual(expected(sqliteType));
  });

  it('postgres', async () => {
    if (!(await engineAvailable('postgres'))) return;
    const schema = `rec_${randomBytes(5).toString('hex')}`;
    const backend = await openPostgresBackend({ url: TEST_URLS.postgres, namespace: schema });
    await backend.close();
    const admin = new pg.Pool({ connectionString: TEST_URLS.postgres, max: 1 });
    try {
      const { rows } = await admin.query<{ column_name: string; data_type: string; is_nullable: string }>(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = 'jobs'`,
        [schema],
      );
      const actual = Object.fromEntries(rows.map((r) => [r.column_name, [r.data_type, r.is_nullable === 'YES']]));
      const pgType = (s: JobFieldSpec): string =>
        ({
          text: 'text',
          state: 'text',
          int: s.wide ? 'bigint' : 'integer',
          bool: 'boolean',
          time: 'timestamp with time zone',
          json: 'jsonb',
          tags: 'ARRAY',
          entries: 'jsonb',
        })[s.kind];
      expect(actual).toEqual(expected(pgType));
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
