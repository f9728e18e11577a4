/**
 * The NATS connection: the URL's servers and options, credentials from the environment or a
 * file (never from the URL or the command line), and the mapping of the client's errors to
 * Gantry's.
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { EngineUnavailableError, ValidationError } from '../../core/errors.js';
import { batchWrites } from './write-batching.js';

/** The default prefix of every stream, bucket and subject. */
export const DEFAULT_NATS_PREFIX = 'gantry';

/** What a `nats://` URL names. */
export interface NatsTarget {
  /** `host:port` of every server, in the order given. */
  servers: string[];
  /** Prefix of subjects (`<prefix>.…`); streams and buckets use it in upper or lower case. */
  prefix: string;
  /** Replicas of every stream and bucket (1 on a single server). */
  replicas: number;
  /** TLS when the scheme is `tls://`. */
  tls: boolean;
}

/** A prefix must be one subject token and a valid stream name part. */
const PREFIX_RE = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Reads `nats://host:4222[,host2:4222]?prefix=…&replicas=3`. `namespace`, when given, overrides
 * the URL's prefix (tests use a prefix each).
 */
export function parseNatsUrl(url: string, namespace?: string): NatsTarget {
  const m = /^(nats|tls):\/\/([^?]*)(?:\?(.*))?$/i.exec(url);
  if (!m) throw new ValidationError(`not a NATS URL: ${JSON.stringify(url)}; use nats://host:4222[,host2:4222]`);
  if (m[2]!.includes('@')) {
    throw new ValidationError(
      'a NATS URL must not carry credentials; set GANTRY_NATS_USER/GANTRY_NATS_PASSWORD, GANTRY_NATS_TOKEN or GANTRY_NATS_CREDS (or their _FILE forms) instead',
    );
  }
  const servers = m[2]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (servers.length === 0) servers.push('127.0.0.1:4222');
  const q = new URLSearchParams(m[3] ?? '');
  const prefix = namespace ?? q.get('prefix') ?? DEFAULT_NATS_PREFIX;
  if (!PREFIX_RE.test(prefix)) {
    throw new ValidationError(`NATS prefix ${JSON.stringify(prefix)}: use 1 to 32 letters, digits, _ or -`);
  }
  const replicas = Number(q.get('replicas') ?? '1');
  if (![1, 3, 5].includes(replicas))
    throw new ValidationError(`NATS replicas must be 1, 3 or 5, got ${q.get('replicas')}`);
  return { servers, prefix, replicas, tls: m[1]!.toLowerCase() === 'tls' };
}

/** An environment variable, or the contents of the file its `_FILE` form names. */
function secret(name: string): string | undefined {
  const direct = process.env[name];
  if (direct) return direct;
  const file = process.env[`${name}_FILE`];
  return file ? readFileSync(file, 'utf8').trim() : undefined;
}

/** Credentials from `GANTRY_NATS_USER`/`_PASSWORD`, `GANTRY_NATS_TOKEN` or `GANTRY_NATS_CREDS` (a creds file). */
function authOptions(): Partial<ConnectionOptions> {
  const creds = process.env.GANTRY_NATS_CREDS;
  if (creds) return { authenticator: credsAuthenticator(readFileSync(creds)) };
  const token = secret('GANTRY_NATS_TOKEN');
  if (token) return { token };
  const user = secret('GANTRY_NATS_USER');
  if (user) return { user, pass: secret('GANTRY_NATS_PASSWORD') ?? '' };
  return {};
}

/** Connects, reconnecting forever after a lost connection (the worker rides out outages). */
export async function connectNats(t: NatsTarget): Promise<NatsConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: t.servers,
      name: 'gantry',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: 5_000,
      // The client otherwise builds two Error objects (with stack traces) per request to point a
      // timeout at its caller: a large share of a worker's CPU, for traces our errors don't show.
      noAsyncTraces: true,
      ...(t.tls ? { tls: {} } : {}),
      ...authOptions(),
    });
  } catch (err) {
    throw new EngineUnavailableError(
      `cannot connect to NATS at ${t.servers.join(',')}: ${(err as Error).message}; start it with nats-server -js`,
      err,
    );
  }
  batchWrites(nc);
  return nc;
}

/** True for the client's errors that mean the server could not be reached or did not answer. */
export function isUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string };
  const text = `${e?.name ?? ''} ${e?.code ?? ''} ${e?.message ?? ''}`.toLowerCase();
  return /timeout|closed|disconnect|no responders|connection|503|draining/.test(text);
}

/** Rethrows a client error as `EngineUnavailableError` when the server is out of reach. */
export function mapError(err: unknown): never {
  if (isUnavailable(err) && !(err instanceof EngineUnavailableError)) {
    throw new EngineUnavailableError(`NATS did not answer: ${(err as Error).message}`, err);
  }
  throw err;
}
