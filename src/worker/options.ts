/** Reads and checks a worker's options once, filling every default from core/constants.ts. */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../core/clock.js';
import {
  DEFAULT_CONCURRENCY,
  MAX_DURATION_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_LEASE_MS,
  DEFAULT_LOCAL_PREFETCH,
  DEFAULT_POLL_MS,
  DEFAULT_PREFETCH,
  DEFAULT_QUEUE,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  MAX_CLAIM_BATCH,
  MIN_LEASE_MS,
} from '../core/constants.js';
import { ValidationError } from '../core/errors.js';
import { intOption, msOption } from '../core/validate.js';
import { silentLogger } from './logger.js';
import type { Logger, WorkerOptions } from './types.js';
import { parseQueueWeights, type QueueWeight } from './weighted.js';

/** Worker options with every default applied. */
export interface ResolvedWorkerOptions {
  id: string;
  clock: Clock;
  /** A `null` weight: the queue's own, read when the worker starts. */
  queues: QueueWeight[];
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

/** A new worker id: `host:pid:random` (docs/architecture.md, "Workers"). */
export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Validates `options`; throws `ValidationError` naming the option. */
export function resolveWorkerOptions(options: WorkerOptions): ResolvedWorkerOptions {
  if (!options.backend && options.url !== undefined && typeof options.url !== 'string') {
    throw new ValidationError('url must be an engine URL such as sqlite:./gantry.db');
  }
  // At most MAX_DURATION_MS, so every lease's end is a time the engines can store.
  const leaseMs = intOption(options.leaseMs, {
    field: 'leaseMs',
    fallback: DEFAULT_LEASE_MS,
    min: MIN_LEASE_MS,
    max: MAX_DURATION_MS,
  });
  if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) {
    throw new ValidationError('id must be a non-empty string');
  }
  const concurrency = intOption(options.concurrency, {
    field: 'concurrency',
    fallback: DEFAULT_CONCURRENCY,
    min: 1,
    max: MAX_CLAIM_BATCH,
  });
  const prefetch =
    options.prefetch === undefined || options.prefetch === null
      ? null
      : intOption(options.prefetch, { field: 'prefetch', fallback: 0, min: 0, max: MAX_CLAIM_BATCH });
  return {
    id: options.id ?? newWorkerId(),
    clock: options.clock ?? options.backend?.clock ?? systemClock,
    queues: parseQueueWeights(options.queues ?? [DEFAULT_QUEUE]),
    concurrency,
    prefetch,
    leaseMs,
    shutdownTimeoutMs: msOption(options.shutdownTimeoutMs, {
      field: 'shutdownTimeoutMs',
      fallback: DEFAULT_SHUTDOWN_TIMEOUT_MS,
      zeroOk: true,
    }),
    pollMs: intOption(options.pollMs, { field: 'pollMs', fallback: DEFAULT_POLL_MS, min: 1 }),
    heartbeatMs: intOption(options.heartbeatMs, { field: 'heartbeatMs', fallback: DEFAULT_HEARTBEAT_MS, min: 1 }),
    logger: options.logger ?? silentLogger,
    onlyRegisteredTypes: options.onlyRegisteredTypes ?? false,
    random: options.random ?? Math.random,
  };
}
