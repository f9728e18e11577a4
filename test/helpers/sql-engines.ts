/**
 * Both SQL engines for a test that must hold on each: a fresh backend in its own SQLite file or
 * PostgreSQL schema, and a direct connection to its store, for a test that must write a value
 * the API now refuses (a job stored before validation refused it).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Backend } from '../../src/backend/backend.js';
import type { Clock } from '../../src/core/clock.js';
import { openPostgresBackend } from '../../src/engines/postgres/index.js';
import { openSqliteBackend } from '../../src/engines/sqlite/index.js';
import { TEST_URLS, engineAvailable } from './engines.js';

/** A backend and its store. */
export interface SqlStore {
  backend: Backend;
  /** Runs one statement on the store directly; `?` marks each parameter on both engines. */
  sql(text: string, params?: unknown[]): Promise<void>;
  /** Closes the backend and removes its file or schema. */
  close(): Promise<void>;
}

/** One SQL engine. */
export interface SqlEngine {
  name: 'sqlite' | 'postgres';
  /** False when the engine is down (the suite is skipped, with a line saying how to start it). */
  available: boolean;
  open(clock?: Clock): Promise<SqlStore>;
}

async function openSqlite(clock?: Clock): Promise<SqlStore> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-sql-'));
  const file = join(dir, 'gantry.db');
  const backend = await openSqliteBackend({ url: `sqlite:${file}`, ...(clock ? { clock } : {}) });
  const db = new Database(file);
  return {
    backend,
    sql: async (text, params = []) => void db.prepare(text).run(...params),
    close: async () => {
      db.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(clock?: Clock): Promise<SqlStore> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const backend = await openPostgresBackend({
    url: TEST_URLS.postgres,
    namespace: schema,
    ...(clock ? { clock } : {}),
  });
  const pool = new pg.Pool({ connectionString: TEST_URLS.postgres, max: 1, options: `-c search_path=${schema}` });
  return {
    backend,
    sql: async (text, params = []) => {
      let n = 0;
      await pool.query(
        text.replace(/\?/g, () => `$${++n}`),
        params,
      );
    },
    close: async () => {
      await backend.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** SQLite and PostgreSQL, each with whether it can be reached. */
export async function sqlEngines(): Promise<SqlEngine[]> {
  return [
    { name: 'sqlite', available: true, open: openSqlite },
    { name: 'postgres', available: await engineAvailable('postgres'), open: openPostgres },
  ];
}
