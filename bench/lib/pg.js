// PostgreSQL plumbing of the harness: the benchmark database (made on first use) and a fresh,
// uniquely named schema for every run, dropped afterwards so runs never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Makes the database of `url` when it does not exist yet (connecting to `postgres` to do so). */
export async function ensureDatabase(url) {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1)) || 'postgres';
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if (err.code !== '3D000') throw explain(err, url);
  } finally {
    await probe.end().catch(() => {});
  }
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (err) {
    if (err.code !== '42P04') throw err; // made by a concurrent run meanwhile
  } finally {
    await admin.end();
  }
}

function explain(err, url) {
  const safe = url.replace(/\/\/[^@/]*@/, '//…@');
  return new Error(`cannot reach PostgreSQL at ${safe} (${err.message}); start it or pass --pg-url`, { cause: err });
}

/** A fresh schema name for one run of one system: lower case, unique, under PostgreSQL's limits. */
export function freshSchema(prefix) {
  return `bench_${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** Runs one statement on a short-lived connection and returns its rows. */
export async function query(url, text, values = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** Drops a schema made by `freshSchema` and everything in it. */
export async function dropSchema(url, schema) {
  await query(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** A small pool for a producer's bookkeeping queries (pending counts). */
export function smallPool(url) {
  return new pg.Pool({ connectionString: url, max: 2 });
}

/**
 * The pool graphile-worker's docs recommend, `max(10, concurrency + 2)`, capped at 40 so two
 * worker processes fit PostgreSQL's default `max_connections` of 100; pg-boss gets the same.
 */
export const poolSize = (concurrency) => Math.max(10, Math.min(concurrency + 2, 40));
