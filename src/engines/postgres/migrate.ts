/**
 * Versioned migrations: `migrations/postgres/NNNN_name.sql` at the package root, applied in
 * order inside one transaction under an advisory lock, so many processes starting at once
 * migrate exactly once.
 */
import { readdir, readFile } from 'node:fs/promises';
import type pg from 'pg';
import type { Clock } from '../../core/clock.js';
import { MigrationError } from '../../core/errors.js';
import { ident, mapError } from './connection.js';

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Resolves from src/engines/postgres (vitest) and dist/src/engines/postgres alike by walking up. */
const CANDIDATE_DIRS = [
  new URL('../../../migrations/postgres/', import.meta.url),
  new URL('../../../../migrations/postgres/', import.meta.url),
];

let cached: Promise<Migration[]> | undefined;

/** Every migration shipped with this version of Gantry, by version. */
export function loadMigrations(): Promise<Migration[]> {
  cached ??= (async () => {
    for (const dir of CANDIDATE_DIRS) {
      let files: string[];
      try {
        files = await readdir(dir);
      } catch {
        continue;
      }
      const out: Migration[] = [];
      for (const file of files.sort()) {
        const m = /^(\d+)_(.+)\.sql$/.exec(file);
        if (!m) continue;
        out.push({ version: Number(m[1]), name: m[2]!, sql: await readFile(new URL(file, dir), 'utf8') });
      }
      if (out.length > 0) return out;
    }
    throw new MigrationError(
      'the PostgreSQL migrations (migrations/postgres/*.sql) are missing from the package; reinstall gantry',
    );
  })();
  return cached;
}

/** The version this build of Gantry expects. */
export async function latestVersion(): Promise<number> {
  const all = await loadMigrations();
  return all[all.length - 1]!.version;
}

/** The schema's applied version; 0 when the schema or its migrations table does not exist yet. */
export async function currentVersion(pool: pg.Pool, schema: string): Promise<number> {
  try {
    const res = await pool.query({
      name: `gantry_version_probe`,
      text: `SELECT to_regclass($1) IS NOT NULL AS present`,
      values: [`${ident(schema)}.migrations`],
    });
    if (!res.rows[0]?.present) return 0;
    const v = await pool.query(`SELECT coalesce(max(version), 0) AS v FROM ${ident(schema)}.migrations`);
    return Number(v.rows[0]?.v ?? 0);
  } catch (err) {
    return mapError(err);
  }
}

function aheadError(schema: string, from: number, to: number): MigrationError {
  return new MigrationError(
    `PostgreSQL schema ${schema} is at version ${from}, newer than this Gantry (${to}); upgrade gantry on this machine`,
  );
}

/** Applies the missing migrations; throws `MigrationError` when the schema is ahead. */
export async function migrate(pool: pg.Pool, schema: string, clock: Clock): Promise<{ from: number; to: number }> {
  const all = await loadMigrations();
  const latest = all[all.length - 1]!.version;
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    return mapError(err);
  }
  const s = ident(schema);
  const onError = (): void => undefined; // a drop between statements surfaces as the next statement's error
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    // One lock per schema: a second process waits here, then finds nothing left to do.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`gantry:migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`,
    );
    const res = await client.query(`SELECT coalesce(max(version), 0) AS v FROM ${s}.migrations`);
    const from = Number(res.rows[0]?.v ?? 0);
    if (from > latest) throw aheadError(schema, from, latest);
    await client.query(`SET LOCAL search_path TO ${s}`);
    for (const m of all.filter((x) => x.version > from)) {
      try {
        await client.query(m.sql);
      } catch (cause) {
        throw new MigrationError(
          `migration ${m.version}_${m.name} failed on schema ${schema}: ${String(cause)}`,
          cause,
        );
      }
      await client.query(`INSERT INTO ${s}.migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [
        m.version,
        m.name,
        new Date(clock.now()),
      ]);
    }
    await client.query('COMMIT');
    return { from, to: Math.max(from, latest) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (err instanceof MigrationError) throw err;
    return mapError(err);
  } finally {
    client.removeListener('error', onError);
    client.release();
  }
}

/**
 * The start-up check: behind → migrate (or a `MigrationError` saying to run `gantry migrate`
 * when `autoMigrate` is false); ahead → `MigrationError`.
 */
export async function ensureSchema(pool: pg.Pool, schema: string, clock: Clock, autoMigrate: boolean): Promise<void> {
  const latest = await latestVersion();
  const current = await currentVersion(pool, schema);
  if (current > latest) throw aheadError(schema, current, latest);
  if (current === latest) return;
  if (!autoMigrate) {
    throw new MigrationError(
      `PostgreSQL schema ${schema} is at version ${current}, this Gantry needs ${latest}; run \`gantry migrate\` (with the same GANTRY_URL)`,
    );
  }
  await migrate(pool, schema, clock);
}
