/**
 * Connections of the PostgreSQL engine: the URL and schema, the pool, running named
 * statements, transactions, and turning connection failures into `EngineUnavailableError`.
 */
import pg from 'pg';
import { EngineUnavailableError, ValidationError } from '../../core/errors.js';

/** A named (prepared) statement without its values. */
export interface Statement {
  name: string;
  text: string;
}

/** Anything that runs queries: the pool, a pooled client, or the caller's own client. */
export interface Queryable {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
}

/** The schema name used when neither `namespace` nor `?schema=` is given. */
export const DEFAULT_SCHEMA = 'gantry';

/** Pool size when the URL gives no `max`; enough for a worker's claim, renew and complete loops. */
const DEFAULT_POOL_MAX = 10;

const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,39}$/;

/** The connection settings of a `postgres://` URL. */
export interface PgTarget {
  /** The URL without Gantry's own query parameters. */
  connectionString: string;
  schema: string;
  poolMax: number;
  /**
   * Commit mode of the worker path (claim, renew, complete, fail, progress): `async` skips
   * waiting for the WAL flush. A crash may then undo the last moments of those writes, which
   * at-least-once delivery absorbs (the job runs again after its lease); enqueues and operator
   * actions always commit synchronously, so an acknowledged job is never lost.
   */
  workerCommit: 'async' | 'sync';
}

/** Reads the URL: `schema` and `max` are Gantry's parameters, the rest goes to `pg`. */
export function parseTarget(url: string, namespace?: string): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new ValidationError(`cannot read PostgreSQL URL ${JSON.stringify(url)}: use postgres://user@host:5432/db`, {
      cause,
    });
  }
  const schema = namespace ?? u.searchParams.get('schema') ?? DEFAULT_SCHEMA;
  if (!SCHEMA_RE.test(schema)) {
    throw new ValidationError(
      `PostgreSQL schema must be 1-40 lower-case letters, digits and _ (starting with a letter or _), got ${JSON.stringify(schema)}`,
    );
  }
  const max = Number(u.searchParams.get('max') ?? DEFAULT_POOL_MAX);
  const workerCommit = u.searchParams.get('worker_commit') ?? 'async';
  if (workerCommit !== 'async' && workerCommit !== 'sync') {
    throw new ValidationError(`worker_commit must be async or sync, got ${JSON.stringify(workerCommit)}`);
  }
  for (const key of ['schema', 'max', 'worker_commit']) u.searchParams.delete(key);
  return {
    connectionString: u.toString(),
    schema,
    poolMax: Number.isInteger(max) && max > 0 ? max : DEFAULT_POOL_MAX,
    workerCommit,
  };
}

/** SQLSTATE classes and socket errors that mean "the server is not there right now". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);

/** True when `err` is a connection failure rather than a statement error. */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(
    err.message,
  );
}

/** Rethrows connection failures as `EngineUnavailableError`; other errors unchanged. */
export function mapError(err: unknown): never {
  if (isConnectionError(err)) {
    throw new EngineUnavailableError(
      `PostgreSQL is unreachable (${(err as Error).message}); check GANTRY_URL and that the server runs`,
      err,
    );
  }
  throw err;
}

/**
 * Settings of the worker path's sessions. Their statements are planned once (a claim's custom
 * plan cost more planning than its run, per call), often while a queue is still small, and the plan
 * is kept as the queue grows. Every one of them walks an index in order or looks rows up by id,
 * so the plans that read a whole table or index are off: with such statistics the planner would
 * otherwise read and sort a whole queue to claim ten jobs (bitmap scan), or scan the table and
 * hash-join it with a batch of 500 completions (seq scan, hash or merge join), in every call.
 */
const HOT_SETTINGS = [
  'plan_cache_mode=force_generic_plan',
  'enable_bitmapscan=off',
  'enable_seqscan=off',
  'enable_hashjoin=off',
  'enable_mergejoin=off',
];

/**
 * Makes a pool; idle-client errors (server restart) are expected and only drop the client.
 * `hot`: the worker path's pool (`HOT_SETTINGS`), whose sessions also commit without waiting
 * for the WAL flush when `target.workerCommit` is `async`.
 */
export function createPool(target: PgTarget, hot = false): pg.Pool {
  let connectionString = target.connectionString;
  if (hot) for (const setting of HOT_SETTINGS) connectionString = withStartupOption(connectionString, setting);
  if (hot && target.workerCommit === 'async') {
    connectionString = withStartupOption(connectionString, 'synchronous_commit=off');
  }
  const pool = new pg.Pool({
    connectionString,
    max: target.poolMax,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool discards it and connects anew on demand.
  });

  return pool;
}

/** The URL with `-c setting` added to its `options` startup parameter (kept with what it had). */
function withStartupOption(connectionString: string, setting: string): string {
  const u = new URL(connectionString);
  const prior = u.searchParams.get('options');
  u.searchParams.set('options', `${prior ? `${prior} ` : ''}-c ${setting}`);
  return u.toString();
}

/** Runs one named statement with its values. */
export async function run<R extends pg.QueryResultRow = pg.QueryResultRow>(
  db: Queryable,
  st: Statement,
  values: unknown[],
): Promise<R[]> {
  try {
    const res = await db.query({ name: st.name, text: st.text, values });
    return res.rows as R[];
  } catch (err) {
    return mapError(err);
  }
}

/** Runs one named statement; returns how many rows it changed. */
export async function runCount(db: Queryable, st: Statement, values: unknown[]): Promise<number> {
  try {
    return (await db.query({ name: st.name, text: st.text, values })).rowCount ?? 0;
  } catch (err) {
    return mapError(err);
  }
}

/**
 * Runs `fn` in a transaction on a pooled client. With `tx` (the caller's own client inside
 * its own transaction) `fn` runs on it directly and the caller's COMMIT decides.
 */
export async function withTx<T>(pool: pg.Pool, fn: (db: Queryable) => Promise<T>, tx?: Queryable): Promise<T> {
  if (tx) return fn(tx);
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    return mapError(err);
  }
  let broken: unknown;
  // A checked-out client has no pool listener: its connection dropping between two statements
  // would be an unhandled 'error' event. The next statement fails and reports it instead.
  const onError = (err: Error): void => void (broken = err);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    if (isConnectionError(err)) broken = err;
    else await client.query('ROLLBACK').catch((e: unknown) => (broken = e));
    return mapError(err);
  } finally {
    client.removeListener('error', onError);
    client.release(broken instanceof Error ? broken : undefined);
  }
}

/** True when `err` is a unique violation on the named index. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === constraint;
}

/** A quoted identifier (schema names are validated, quoting keeps them literal). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
