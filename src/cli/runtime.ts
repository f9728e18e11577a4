/**
 * The long-running side of the CLI, shared by `gantry worker` and `gantry dev`: a Worker, the
 * maintenance loop and (when present and wanted) the scheduler in one process, stopped
 * gracefully on SIGINT/SIGTERM, forced on a second signal.
 */
import type { Backend } from '../backend/backend.js';
import { DEFAULT_HEARTBEAT_MS, HEARTBEATS_PER_WORKER_TTL } from '../core/constants.js';
import { Maintenance, type RetentionOptions } from '../maintenance/maintenance.js';
import { Scheduler } from '../scheduler/index.js';
import { Worker } from '../worker/worker.js';
import type { Handlers, Logger } from '../worker/types.js';
import { logJobs, type JobLogLevel } from './job-log.js';
import { guardOutages } from './outage.js';

/** What the runtime runs; numbers left out take the worker's defaults. */
export interface RuntimeOptions {
  backend: Backend;
  handlers: Handlers;
  queues?: Record<string, number | null>;
  concurrency?: number;
  /** Jobs claimed ahead of free slots at most (`WorkerOptions.prefetch`); unset: the engine's default. */
  prefetch?: number;
  /** Claim only job types with a handler here (else an unknown type fails with UNKNOWN_JOB_TYPE). */
  onlyRegisteredTypes?: boolean;
  leaseMs?: number;
  shutdownTimeoutMs?: number;
  pollMs?: number;
  /** Maintenance tick interval, leader lease and worker TTL, ms (the TTL also sets the heartbeat: `heartbeatFor`). */
  maintenanceIntervalMs?: number;
  maintenanceLeaseMs?: number;
  workerTtlMs?: number;
  /** How long finished jobs are kept (maintenance's retention); unset fields take the defaults. */
  retention?: RetentionOptions;
  /** Run the scheduler too (when this build has one). */
  scheduler: boolean;
  /** Run the maintenance loop too; default true. */
  maintenance?: boolean;
  logger: Logger;
  /** Log each job's start and end (`all`), only failed attempts (`failures`), or none (unset). */
  jobLog?: JobLogLevel;
  /** Give up once the engine has been unreachable this long, ms; 0 or unset: never. */
  outageLimitMs?: number;
}

/** A started runtime. */
export interface Runtime {
  worker: Worker;
  /**
   * Resolves with the reason when the runtime gives up (an outage longer than
   * `outageLimitMs`); the caller then stops it and exits non-zero.
   */
  gaveUp: Promise<Error>;
  /** Stops claiming, lets running jobs finish (up to the shutdown timeout), stops every loop. */
  stop(): Promise<void>;
}

/**
 * The heartbeat interval of a worker run with worker TTL `ttlMs`: `HEARTBEATS_PER_WORKER_TTL`
 * heartbeats within it, at most `DEFAULT_HEARTBEAT_MS` apart.
 */
export function heartbeatFor(ttlMs: number): number {
  return Math.max(1, Math.min(DEFAULT_HEARTBEAT_MS, Math.floor(ttlMs / HEARTBEATS_PER_WORKER_TTL)));
}

/** Starts worker, maintenance and scheduler on `options.backend`. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { backend, logger } = options;
  const worker = new Worker({
    backend,
    handlers: options.handlers,
    logger,
    ...(options.queues ? { queues: options.queues } : {}),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.prefetch === undefined ? {} : { prefetch: options.prefetch }),
    ...(options.onlyRegisteredTypes ? { onlyRegisteredTypes: true } : {}),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: options.shutdownTimeoutMs }),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...(options.workerTtlMs === undefined ? {} : { heartbeatMs: heartbeatFor(options.workerTtlMs) }),
  });
  const guard = guardOutages(worker, logger, backend.clock, options.outageLimitMs ?? 0);
  const stopJobLog = options.jobLog ? logJobs(worker, logger, options.jobLog) : () => {};
  const maintenance =
    options.maintenance === false
      ? null
      : new Maintenance({
          backend,
          logger: guard.logger,
          ...(options.maintenanceIntervalMs === undefined ? {} : { intervalMs: options.maintenanceIntervalMs }),
          ...(options.maintenanceLeaseMs === undefined ? {} : { leaseMs: options.maintenanceLeaseMs }),
          ...(options.workerTtlMs === undefined ? {} : { workerTtlMs: options.workerTtlMs }),
          ...(options.retention === undefined ? {} : { retention: options.retention }),
        });
  await worker.start();
  maintenance?.start();
  const scheduler = options.scheduler ? new Scheduler({ backend, logger: guard.logger }) : null;
  scheduler?.start();
  return {
    worker,
    gaveUp: guard.gaveUp,
    async stop() {
      await Promise.all([worker.stop(), maintenance?.stop(), scheduler?.stop()]);
      guard.stop();
      stopJobLog();
    },
  };
}

/** Signals caught by `trapSignals`. */
export interface SignalTrap {
  /** Resolves with the first SIGINT/SIGTERM. */
  received: Promise<NodeJS.Signals>;
  /** Removes the handlers (after the graceful stop finished). */
  release(): void;
}

/**
 * Catches SIGINT and SIGTERM from now on. Installed before anything starts, so a signal that
 * arrives while starting still means "stop gracefully". A second signal exits at once with
 * code 130 (running jobs then come back through lease expiry). Until released it also holds
 * the process open: Gantry's timers never do (they are unref'd), and while the engine is down
 * no socket is open either, so Node would otherwise end the process, with code 0, mid-outage.
 */
export function trapSignals(logger: Logger, onFirst?: (signal: NodeJS.Signals) => void): SignalTrap {
  let first: NodeJS.Signals | null = null;
  let resolve: (s: NodeJS.Signals) => void = () => {};
  const received = new Promise<NodeJS.Signals>((r) => (resolve = r));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (first) {
      logger.warn({ signal }, 'second signal: exiting now; running jobs return after their lease expires');
      process.exit(130);
    }
    first = signal;
    logger.info({ signal }, 'stopping: no new jobs; running jobs may finish (Ctrl+C again to force)');
    onFirst?.(signal);
    resolve(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  return {
    received,
    release() {
      clearInterval(keepAlive);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
