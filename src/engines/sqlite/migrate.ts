/**
 * Versioned migrations: numbered files `migrations/sqlite/NNNN_name.sql` shipped with the
 * package, applied in order, each recorded in `schema_migrations`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MigrationError } from '../../core/errors.js';
import type { Db } from './connection.js';

/** Where the migration files live: the package root, from both `src/` and `dist/`. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/sqlite/', import.meta.url));

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration file, by version. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch (cause) {
    throw new MigrationError(`cannot read the SQLite migrations in ${dir}; reinstall gantry`, cause);
  }
  return files
    .map((f) => /^(\d+)_(.+)\.sql$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2]!, sql: readFileSync(`${dir}/${m[0]}`, 'utf8') }))
    .sort((a, b) => a.version - b.version);
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`;

/** The schema version the database is at (0 for an empty one). */
export function schemaVersion(db: Db): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!exists) return 0;
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

function aheadError(current: number, latest: number): MigrationError {
  return new MigrationError(
    `the database schema is at version ${current}, newer than this version of gantry knows (${latest}); upgrade gantry`,
  );
}

/** Throws `MigrationError` unless the schema is exactly at the latest version. */
export function assertSchemaCurrent(db: Db, migrations: Migration[] = loadMigrations()): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) throw aheadError(current, latest);
  if (current < latest) {
    throw new MigrationError(
      `the database schema is at version ${current}, behind this gantry (${latest}); run \`gantry migrate\``,
    );
  }
}

/** Applies the missing migrations in one write transaction; idempotent across processes. */
export function migrate(db: Db, now: number, migrations: Migration[] = loadMigrations()): { from: number; to: number } {
  const latest = migrations.at(-1)?.version ?? 0;
  const run = db.transaction(() => {
    db.exec(CREATE_TABLE);
    const from = schemaVersion(db);
    if (from > latest) throw aheadError(from, latest);
    const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations) {
      if (m.version <= from) continue;
      try {
        db.exec(m.sql);
      } catch (cause) {
        throw new MigrationError(
          `SQLite migration ${m.version}_${m.name} failed; the schema was left unchanged`,
          cause,
        );
      }
      insert.run(m.version, m.name, now);
    }
    return { from, to: Math.max(from, latest) };
  });
  return run.immediate();
}
