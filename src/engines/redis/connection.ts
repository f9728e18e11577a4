/**
 * Connections of the Redis engine: reading the URL (host, database, `?prefix=`, cluster seeds),
 * the password (from the environment or a file, never printed), clients that fail fast while
 * Redis is unreachable and reconnect by themselves, and turning their failures into
 * `EngineUnavailableError`.
 */
import { readFileSync } from 'node:fs';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import {
  REDIS_COMMAND_TIMEOUT_MS,
  REDIS_CONNECT_TIMEOUT_MS,
  REDIS_DEFAULT_PREFIX,
  REDIS_RECONNECT_MAX_MS,
  REDIS_RECONNECT_MIN_MS,
} from '../../core/constants.js';
import { EngineUnavailableError, ValidationError } from '../../core/errors.js';

/** What a `redis://` or `rediss://` URL says. */
export interface RedisTarget {
  /** Host and port of each node to start from (one unless a cluster). */
  nodes: { host: string; port: number }[];
  db: number;
  tls: boolean;
  username: string | undefined;
  password: string | undefined;
  /** Key prefix and hash tag of the namespace. */
  prefix: string;
  cluster: boolean;
  commandTimeoutMs: number;
  /** The URL without its password, for messages. */
  safeUrl: string;
}

const PREFIX_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The password: `GANTRY_REDIS_PASSWORD`, else the file `?password_file=` or `GANTRY_REDIS_PASSWORD_FILE` names, else the URL's. */
function passwordOf(u: URL): string | undefined {
  const env = process.env.GANTRY_REDIS_PASSWORD;
  if (env) return env;
  const file = u.searchParams.get('password_file') ?? process.env.GANTRY_REDIS_PASSWORD_FILE;
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (cause) {
      throw new ValidationError(`cannot read the Redis password file ${file}: check the path and its permissions`, {
        cause,
      });
    }
  }
  return u.password ? decodeURIComponent(u.password) : undefined;
}

/** Reads a Redis URL; `namespace` (a backend option) wins over `?prefix=`. */
export function parseRedisUrl(url: string, namespace?: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new ValidationError('cannot read the Redis URL: use redis://host:6379/0 (or rediss:// for TLS)', { cause });
  }
  const prefix = namespace ?? u.searchParams.get('prefix') ?? REDIS_DEFAULT_PREFIX;
  if (!PREFIX_RE.test(prefix)) {
    throw new ValidationError(
      `the Redis prefix must be 1-64 letters, digits and _ . : - (no braces), got ${JSON.stringify(prefix)}`,
    );
  }
  const db = Number(u.pathname.replace(/^\//, '') || '0');
  if (!Number.isInteger(db) || db < 0)
    throw new ValidationError(`the Redis database must be a number, got ${u.pathname}`);
  const nodes = [{ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) }];
  for (const extra of (u.searchParams.get('nodes') ?? '').split(',').filter(Boolean)) {
    const [host, port] = extra.split(':');
    nodes.push({ host: host!, port: Number(port ?? 6379) });
  }
  const timeout = Number(u.searchParams.get('command_timeout') ?? REDIS_COMMAND_TIMEOUT_MS);
  const safe = new URL(u.toString());
  safe.password = '';
  return {
    nodes,
    db,
    tls: u.protocol === 'rediss:',
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: passwordOf(u),
    prefix,
    cluster: u.searchParams.get('cluster') === 'true' || u.searchParams.get('cluster') === '1',
    commandTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : REDIS_COMMAND_TIMEOUT_MS,
    safeUrl: safe.toString(),
  };
}

const retry = (times: number): number => Math.min(REDIS_RECONNECT_MIN_MS * 2 ** (times - 1), REDIS_RECONNECT_MAX_MS);

/**
 * Options of every connection: no offline queue and no retry of a command (a call while Redis is
 * unreachable fails at once), a bounded wait for an answer, and reconnection forever with backoff.
 * `blocking`: a connection for blocking reads, which waits as long as the read asks.
 */
function redisOptions(t: RedisTarget, blocking: boolean, name?: string): RedisOptions {
  return {
    ...(name ? { connectionName: name } : {}),
    db: t.db,
    username: t.username,
    password: t.password,
    ...(t.tls ? { tls: {} } : {}),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    ...(blocking ? {} : { commandTimeout: t.commandTimeoutMs }),
    retryStrategy: retry,
    enableReadyCheck: true,
  };
}

/**
 * A client of the target (a `Cluster` when `?cluster=true`), not yet connected; `name` is the
 * name `CLIENT LIST` shows for it.
 */
export function createClient(t: RedisTarget, blocking = false, name?: string): Redis | Cluster {
  const client = t.cluster
    ? clusterClient(t, blocking, name)
    : new Redis({ ...redisOptions(t, blocking, name), ...t.nodes[0]! });
  // Connection errors surface as the failures of the calls made meanwhile; the client reconnects.
  client.on('error', () => undefined);
  return client;
}

function clusterClient(t: RedisTarget, blocking: boolean, name?: string): Cluster {
  const opts: ClusterOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    clusterRetryStrategy: retry,
    redisOptions: { ...redisOptions(t, blocking, name), db: 0 },
  };
  return new Cluster(t.nodes, opts);
}

/** Connects `client`, failing with `EngineUnavailableError` when Redis does not answer. */
export async function connect(client: Redis | Cluster, t: RedisTarget): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw unavailable(err, t);
  }
}

/** The error of a call that could not reach Redis. */
export function unavailable(err: unknown, t: Pick<RedisTarget, 'safeUrl'>): EngineUnavailableError {
  const why = err instanceof Error ? err.message : String(err);
  return new EngineUnavailableError(
    `Redis is unreachable at ${t.safeUrl} (${why}); check GANTRY_URL and that the server runs`,
    err,
  );
}

/** Answers from Redis that mean "not serving right now" rather than a refused command. */
const UNAVAILABLE_REPLY = /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|BUSY|NOREPLICAS)\b/;

/** True when `err` means Redis could not be reached or is not serving (else a real error of a command). */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ReplyError') return UNAVAILABLE_REPLY.test(err.message);
  return true;
}
