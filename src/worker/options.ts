/** Reads and checks a worker's options once, filling every default from core/constants.ts. */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../core/clock.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_LEASE_MS,
  DEFAULT_LOCAL_PREFETCH,
  DEFAULT_POLL_MS,
  DEFAULT_PREFETCH,
  DEFAULT_QUEUE,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  MAX_CLAIM_BATCH,
} from '../core/constants.js';
import { ValidationError } from '../core/errors.js';
import { silentLogger } from './logger.js';
import type { Logger, WorkerOptions } from './types.js';
import { parseQueueWeights } from './weighted.js';

/** Worker options with every default applied. */
export interface ResolvedWorkerOptions {
  id: string;
  clock: Clock;
  queues: { name: string; weight: number }[];
  concurrency: number;
  /** `null`: the engine's default (`prefetchFor`). */
  prefetch: number | null;
  leaseMs: number;
  shutdownTimeoutMs: number;
  pollMs: number;
  heartbeatMs: number;
  logger: Logger;
  onlyRegisteredTypes: boolean;
  random: () => number;
}

/**
 * The prefetch buffer's size: the option, else the larger of the concurrency and the default
 * for the engine (smaller where claims run in-process, see `DEFAULT_LOCAL_PREFETCH`).
 */
export function prefetchFor(opts: ResolvedWorkerOptions, capabilities: { localClaims: boolean }): number {
  if (opts.prefetch !== null) return opts.prefetch;
  return Math.max(opts.concurrency, capabilities.localClaims ? DEFAULT_LOCAL_PREFETCH : DEFAULT_PREFETCH);
}

/** A new worker id: `host:pid:random` (DESIGN §5). */
export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

function positiveInt(
  value: number | undefined,
  fallback: number,
  field: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(`${field} must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function nonNegative(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(`${field} must be a number of ms >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Validates `options`; throws `ValidationError` naming the option. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  if (!options.backend && options.url !== undefined && typeof options.url !== 'string') {
    throw new ValidationError('url must be an engine URL such as sqlite:./gantry.db');
  }
  const leaseMs = positiveInt(options.leaseMs, DEFAULT_LEASE_MS, 'leaseMs');
  if (leaseMs < 30) throw new ValidationError(`leaseMs must be at least 30 ms, got ${leaseMs}`);
  if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) {
    throw new ValidationError('id must be a non-empty string');
  }
  const concurrency = positiveInt(options.concurrency, DEFAULT_CONCURRENCY, 'concurrency', MAX_CLAIM_BATCH);
  const prefetch = options.prefetch ?? null;
  if (prefetch !== null && (!Number.isInteger(prefetch) || prefetch < 0 || prefetch > MAX_CLAIM_BATCH)) {
    throw new ValidationError(
      `prefetch must be an integer from 0 to ${MAX_CLAIM_BATCH}, got ${JSON.stringify(prefetch)}`,
    );
  }
  return {
    id: options.id ?? newWorkerId(),
    clock: options.clock ?? options.backend?.clock ?? systemClock,
    queues: parseQueueWeights(options.queues ?? [DEFAULT_QUEUE]),
    concurrency,
    prefetch,
    leaseMs,
    shutdownTimeoutMs: nonNegative(options.shutdownTimeoutMs, DEFAULT_SHUTDOWN_TIMEOUT_MS, 'shutdownTimeoutMs'),
    pollMs: positiveInt(options.pollMs, DEFAULT_POLL_MS, 'pollMs'),
    heartbeatMs: positiveInt(options.heartbeatMs, DEFAULT_HEARTBEAT_MS, 'heartbeatMs'),
    logger: options.logger ?? silentLogger,
    onlyRegisteredTypes: options.onlyRegisteredTypes ?? false,
    random: options.random ?? Math.random,
  };
}
