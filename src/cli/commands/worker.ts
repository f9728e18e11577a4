/**
 * `gantry worker --handlers <module>`: runs the handlers of a module (its default export maps
 * job type → handler) with the maintenance loop and the scheduler, until SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command, Option } from 'commander';
import { openBackend } from '../../backend/open.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_LEASE_MS,
  DEFAULT_LOCAL_PREFETCH,
  DEFAULT_MAINTENANCE_LEASE_MS,
  DEFAULT_MAINTENANCE_MS,
  DEFAULT_POLL_MS,
  DEFAULT_PREFETCH,
  DEFAULT_QUEUE,
  DEFAULT_RETAIN_COMPLETED_MS,
  DEFAULT_RETAIN_FAILED_MS,
  DEFAULT_RETAIN_MAX_COUNT,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_WORKER_TTL_MS,
  MAX_CLAIM_BATCH,
} from '../../core/constants.js';
import { ValidationError } from '../../core/errors.js';
import type { Backend } from '../../backend/backend.js';
import type { RetentionOptions } from '../../maintenance/maintenance.js';
import type { Handlers, Logger } from '../../worker/types.js';
import { envOption, globals, parseDurationFlag, parseIntFlag, parseQueues } from '../context.js';
import type { JobLogLevel } from '../job-log.js';
import { makeLogger, parseLogFormat, parseLogLevel, type LogFormat, type LogLevel } from '../logger.js';
import type { RuntimeOptions } from '../runtime.js';

/** The flags that tune a worker (`addWorkerOptions`). */
export interface WorkerTuningFlags {
  queues: Record<string, number | null>;
  concurrency: number;
  /** Unset: the engine's default. */
  prefetch?: number;
  lease: number;
  shutdownTimeout: number;
  poll: number;
  onlyRegisteredTypes?: boolean;
  maintenanceInterval: number;
  maintenanceLease: number;
  workerTtl: number;
  retainCompleted: number;
  retainFailed: number;
  retainMax: number;
}

/** The flags of `worker` (shared in part by `dev`). */
export interface RunFlags extends WorkerTuningFlags {
  scheduler: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/** A duration flag with its env var and a default in ms (shown in seconds in `--help`). */
function durationOption(flags: string, description: string, env: string, defaultMs: number): Option {
  const name = flags.split(' ')[0]!;
  return envOption(flags, description, env)
    .default(defaultMs, `${defaultMs / 1000}s`)
    .argParser(parseDurationFlag(name));
}

/** The duration flags of a worker: flags, help, env var, default in ms. */
const DURATION_FLAGS: [string, string, string, number][] = [
  ['--lease <duration>', 'lease of a claim; a dead worker’s jobs return after it', 'GANTRY_LEASE', DEFAULT_LEASE_MS],
  [
    '--shutdown-timeout <duration>',
    'on stop, how long running jobs may finish',
    'GANTRY_SHUTDOWN_TIMEOUT',
    DEFAULT_SHUTDOWN_TIMEOUT_MS,
  ],
  ['--poll <duration>', 'fallback poll interval when no wake-up arrives', 'GANTRY_POLL', DEFAULT_POLL_MS],
  [
    '--maintenance-interval <duration>',
    'time between maintenance ticks',
    'GANTRY_MAINTENANCE_INTERVAL',
    DEFAULT_MAINTENANCE_MS,
  ],
  [
    '--maintenance-lease <duration>',
    'lease keeping maintenance single; another process takes over after it',
    'GANTRY_MAINTENANCE_LEASE',
    DEFAULT_MAINTENANCE_LEASE_MS,
  ],
  [
    '--worker-ttl <duration>',
    'workers silent this long are forgotten (this one heartbeats every third of it)',
    'GANTRY_WORKER_TTL',
    DEFAULT_WORKER_TTL_MS,
  ],
  [
    '--retain-completed <duration>',
    'retention: completed jobs are deleted this long after they finished',
    'GANTRY_RETAIN_COMPLETED',
    DEFAULT_RETAIN_COMPLETED_MS,
  ],
  [
    '--retain-failed <duration>',
    'retention: failed, cancelled and expired jobs are deleted this long after they ended',
    'GANTRY_RETAIN_FAILED',
    DEFAULT_RETAIN_FAILED_MS,
  ],
];

/**
 * Adds the flags that tune a worker: queues, concurrency, prefetch, leases and timers, which
 * types it claims (used by `worker`, `dev` and `server --handlers`).
 */
export function addWorkerOptions(cmd: Command, defaults: { concurrency: number; prefetch?: number }): Command {
  const prefetchHelp = 'jobs claimed ahead of free slots at most; they count as running (0: claim only for free slots)';
  const prefetch = envOption(
    '--prefetch <n>',
    defaults.prefetch === undefined
      ? `${prefetchHelp} (default: the engine's, max(concurrency, ${DEFAULT_PREFETCH}); on SQLite max(concurrency, ${DEFAULT_LOCAL_PREFETCH}))`
      : prefetchHelp,
    'GANTRY_PREFETCH',
  ).argParser(parseIntFlag('--prefetch', 0, MAX_CLAIM_BATCH));
  if (defaults.prefetch !== undefined) prefetch.default(defaults.prefetch);
  cmd
    .addOption(
      envOption('--queues <list>', 'queues and weights, e.g. critical:6,default:3,low:1', 'GANTRY_QUEUES')
        .default(parseQueues(DEFAULT_QUEUE), DEFAULT_QUEUE)
        .argParser(parseQueues),
    )
    .addOption(
      envOption('--concurrency <n>', 'jobs run at once', 'GANTRY_CONCURRENCY')
        .default(defaults.concurrency)
        .argParser(parseIntFlag('--concurrency', 1, MAX_CLAIM_BATCH)),
    )
    .addOption(prefetch);
  for (const [flags, help, env, ms] of DURATION_FLAGS) cmd.addOption(durationOption(flags, help, env, ms));
  return cmd
    .addOption(
      envOption('--retain-max <n>', 'retention: most finished jobs kept per queue and final state', 'GANTRY_RETAIN_MAX')
        .default(DEFAULT_RETAIN_MAX_COUNT)
        .argParser(parseIntFlag('--retain-max', 1)),
    )
    .addOption(
      envOption(
        '--only-registered-types',
        'claim only job types this process has handlers for (default: claim all; unknown types fail)',
        'GANTRY_ONLY_REGISTERED_TYPES',
      ),
    );
}

/** Adds the flags of a worker process (used by `worker` and `dev`): the worker's, the scheduler and logging. */
export function addRunOptions(
  cmd: Command,
  defaults: { logFormat: LogFormat; logLevel: LogLevel; concurrency: number; prefetch?: number },
): Command {
  return addWorkerOptions(cmd, defaults)
    .addOption(envOption('--no-scheduler', 'do not run the scheduler in this process', 'GANTRY_NO_SCHEDULER'))
    .addOption(
      envOption(
        '--log-level <level>',
        'debug, info, warn, error or silent',
        'GANTRY_LOG_LEVEL',
        defaults.logLevel,
      ).argParser(parseLogLevel),
    )
    .addOption(
      envOption('--log-format <format>', 'json or pretty', 'GANTRY_LOG_FORMAT', defaults.logFormat).argParser(
        parseLogFormat,
      ),
    );
}

/** `--event-log <dir>` (used by `worker`, `dev` and `server`). */
export function eventLogOption(): Option {
  return envOption(
    '--event-log <dir>',
    'append every event as a JSON line to a daily file in this folder (gantry-events-YYYY-MM-DD.jsonl)',
    'GANTRY_EVENT_LOG',
  );
}

/** Starts `--event-log` when given; returns what stops it (a no-op without it). */
export async function maybeEventFile(backend: Backend, dir: string | undefined): Promise<() => Promise<void>> {
  if (dir === undefined) return async () => {};
  const { startEventFile } = await import('../event-file.js');
  return startEventFile(backend, dir);
}

/** Imports a handlers module (path relative to the working directory) and checks its default export. */
export async function loadHandlers(modulePath: string, cwd = process.cwd()): Promise<Handlers> {
  const file = path.resolve(cwd, modulePath);
  if (!existsSync(file)) throw new ValidationError(`--handlers: no file at ${file}`);
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  const handlers = mod.default;
  if (!handlers || typeof handlers !== 'object') {
    throw new ValidationError(
      `--handlers: ${file} must default-export an object mapping job type to handler, e.g. export default { 'email.send': async (job) => … }`,
    );
  }
  for (const [type, fn] of Object.entries(handlers)) {
    if (typeof fn !== 'function')
      throw new ValidationError(`--handlers: the handler of ${JSON.stringify(type)} in ${file} is not a function`);
  }
  return handlers as Handlers;
}

/** The runtime options the run flags stand for. */
export function runtimeOptions(
  flags: WorkerTuningFlags & { scheduler: boolean },
  backend: Backend,
  handlers: Handlers,
  logger: Logger,
): RuntimeOptions {
  return {
    backend,
    handlers,
    logger,
    queues: flags.queues,
    concurrency: flags.concurrency,
    ...(flags.prefetch === undefined ? {} : { prefetch: flags.prefetch }),
    onlyRegisteredTypes: flags.onlyRegisteredTypes === true,
    leaseMs: flags.lease,
    shutdownTimeoutMs: flags.shutdownTimeout,
    pollMs: flags.poll,
    maintenanceIntervalMs: flags.maintenanceInterval,
    maintenanceLeaseMs: flags.maintenanceLease,
    workerTtlMs: flags.workerTtl,
    retention: retentionOptions(flags),
    scheduler: flags.scheduler,
  };
}

/** The retention the flags ask for (failed, cancelled and expired jobs alike). */
export function retentionOptions(flags: WorkerTuningFlags): RetentionOptions {
  return {
    completedMs: flags.retainCompleted,
    failedMs: flags.retainFailed,
    cancelledMs: flags.retainFailed,
    expiredMs: flags.retainFailed,
    maxPerQueueState: flags.retainMax,
  };
}

/** The value of `--job-log`. */
export type JobLogFlag = JobLogLevel | 'off';

/** The flags only `worker` has. */
interface WorkerFlags extends RunFlags {
  handlers: string;
  eventLog?: string;
  jobLog: JobLogFlag;
  outageLimit: number;
}

const JOB_LOG_LEVELS = ['all', 'failures', 'off'] as const;

/** Parses `--job-log`. */
export function parseJobLog(value: string): JobLogFlag {
  if (!(JOB_LOG_LEVELS as readonly string[]).includes(value)) {
    throw new ValidationError(`--job-log must be one of ${JOB_LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as WorkerFlags['jobLog'];
}

/** Registers `worker`. */
export function register(program: Command): void {
  const cmd = program
    .command('worker')
    .description('run job handlers (with maintenance and the scheduler) until SIGINT/SIGTERM')
    .addOption(
      envOption(
        '--handlers <module>',
        'module whose default export maps job type to handler',
        'GANTRY_HANDLERS',
      ).makeOptionMandatory(),
    )
    .addOption(
      envOption(
        '--job-log <which>',
        'log each job: all (start and end at info, failures at warn/error), failures (only those), or off',
        'GANTRY_JOB_LOG',
        'all',
      ).argParser(parseJobLog),
    )
    .addOption(
      envOption(
        '--outage-limit <duration>',
        'exit with an error once the engine has been unreachable this long (0: ride out any outage)',
        'GANTRY_OUTAGE_LIMIT',
      )
        .default(0, '0')
        .argParser(parseDurationFlag('--outage-limit')),
    )
    .addOption(eventLogOption());
  addRunOptions(cmd, { logFormat: 'json', logLevel: 'info', concurrency: DEFAULT_CONCURRENCY }).action(runWorker);
}

/** Runs until a signal (exit 0) or until it gives up on an unreachable engine (throws: exit 1). */
async function runWorker(flags: WorkerFlags, c: Command): Promise<void> {
  const handlers = await loadHandlers(flags.handlers);
  const logger = await makeLogger(flags.logLevel, flags.logFormat);
  // Loaded here so the short commands never load the worker runtime.
  const { startRuntime, trapSignals } = await import('../runtime.js');
  const signals = trapSignals(logger);
  const backend = await openBackend({ url: globals(c).url, pollMs: flags.poll });
  let stopEventFile = async (): Promise<void> => {};
  try {
    stopEventFile = await maybeEventFile(backend, flags.eventLog);
    const runtime = await startRuntime({
      ...runtimeOptions(flags, backend, handlers, logger),
      ...(flags.jobLog === 'off' ? {} : { jobLog: flags.jobLog }),
      outageLimitMs: flags.outageLimit,
    });
    const types = Object.keys(handlers);
    const prefetch = flags.prefetch ?? 'engine default';
    logger.info({ workerId: runtime.worker.id, queues: flags.queues, types, prefetch }, 'worker started');
    const gaveUp = await Promise.race([signals.received.then(() => null), runtime.gaveUp]);
    if (gaveUp) logger.error({ err: gaveUp }, 'worker giving up: stopping');
    await runtime.stop();
    logger.info({ workerId: runtime.worker.id }, 'worker stopped');
    if (gaveUp) throw gaveUp;
  } finally {
    await stopEventFile();
    signals.release();
    await backend.close();
  }
}
