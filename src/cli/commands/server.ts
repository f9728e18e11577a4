/**
 * `gantry server`: the HTTP API, dashboard, metrics and health on `--url`, with maintenance and
 * the scheduler in the same process. With `--handlers` it runs a worker too, so one process is a
 * whole node (API and jobs), for production. Tokens come from GANTRY_API_TOKENS or
 * --tokens-file, never from the command line.
 */
import { Option, type Command } from 'commander';
import type { Backend } from '../../backend/backend.js';
import type { Handlers } from '../../worker/types.js';
import { DEFAULT_CONCURRENCY } from '../../core/constants.js';
import { Maintenance } from '../../maintenance/maintenance.js';
import { Scheduler } from '../../scheduler/index.js';
import { DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT } from '../../server/constants.js';
import { redactUrl } from '../../server/redact.js';
import { envOption, globals, parseIntFlag, splitList } from '../context.js';
import {
  LOG_FORMATS,
  LOG_LEVELS,
  makeLogger,
  parseLogFormat,
  parseLogLevel,
  type LogFormat,
  type LogLevel,
} from '../logger.js';
import { println } from '../output.js';
import type { Runtime } from '../runtime.js';
import {
  addWorkerOptions,
  eventLogOption,
  loadHandlers,
  maybeEventFile,
  parseJobLog,
  retentionOptions,
  runtimeOptions,
  type JobLogFlag,
  type WorkerTuningFlags,
} from './worker.js';

interface ServerFlags extends WorkerTuningFlags {
  handlers?: string;
  eventLog?: string;
  jobLog: JobLogFlag;
  port: number;
  host: string;
  tokensFile?: string;
  allowedHosts?: string;
  maintenance: boolean;
  scheduler: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/** Background loops the server process runs once the engine is open (without `--handlers`). */
function startLoops(
  backend: Backend,
  flags: ServerFlags,
  logger: Awaited<ReturnType<typeof makeLogger>>,
): () => Promise<void> {
  const maintenance = flags.maintenance
    ? new Maintenance({
        backend,
        logger,
        intervalMs: flags.maintenanceInterval,
        leaseMs: flags.maintenanceLease,
        workerTtlMs: flags.workerTtl,
        retention: retentionOptions(flags),
      })
    : null;
  const scheduler = flags.scheduler ? new Scheduler({ backend, logger }) : null;
  maintenance?.start();
  const started = scheduler?.start();
  return async () => {
    await started;
    await Promise.all([maintenance?.stop(), scheduler?.stop()]);
  };
}

/**
 * With `--handlers`: a worker with maintenance and the scheduler (as `gantry worker` runs them)
 * once the engine is open; returns what stops it gracefully. A worker that cannot start calls
 * `fail`: a node that serves the API but runs no job must not look healthy to a supervisor.
 */
function startNode(
  backend: Backend,
  flags: ServerFlags,
  handlers: Handlers,
  logger: Awaited<ReturnType<typeof makeLogger>>,
  fail: (err: Error) => void,
): () => Promise<void> {
  const started: Promise<Runtime | null> = import('../runtime.js')
    .then(({ startRuntime }) =>
      startRuntime({
        ...runtimeOptions(flags, backend, handlers, logger),
        maintenance: flags.maintenance,
        ...(flags.jobLog === 'off' ? {} : { jobLog: flags.jobLog }),
      }),
    )
    .then((runtime) => {
      const types = Object.keys(handlers);
      logger.info({ workerId: runtime.worker.id, queues: flags.queues, types }, 'worker started');
      return runtime;
    })
    .catch((err: unknown) => {
      logger.error({ err }, 'the worker could not start: stopping');
      fail(err instanceof Error ? err : new Error(String(err)));
      return null;
    });
  return async () => {
    const runtime = await started;
    await runtime?.stop();
    if (runtime) logger.info({ workerId: runtime.worker.id }, 'worker stopped');
  };
}

async function runServer(flags: ServerFlags, cmd: Command): Promise<void> {
  // Loaded here, not at the top, so other commands do not pay for Fastify at start-up.
  const { startServer } = await import('../../server/index.js');
  const { trapSignals } = await import('../runtime.js');
  const { url } = globals(cmd);
  // A bad handlers module stops the start before anything listens.
  const handlers = flags.handlers ? await loadHandlers(flags.handlers) : null;
  const logger = await makeLogger(flags.logLevel, flags.logFormat);
  const trap = trapSignals(logger);
  const server = await startServer({
    url,
    host: flags.host,
    port: flags.port,
    logger,
    ...(flags.tokensFile ? { tokensFile: flags.tokensFile } : {}),
    ...(flags.allowedHosts ? { allowedHosts: splitList(flags.allowedHosts) ?? [] } : {}),
  });
  let stopLoops: (() => Promise<void>) | null = null;
  let fail: (err: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  let eventFile: Promise<() => Promise<void>> = Promise.resolve(async () => {});
  server.onBackend((backend) => {
    eventFile = maybeEventFile(backend, flags.eventLog).catch((err: unknown) => {
      logger.error({ err }, '--event-log: cannot write the event log');
      return async () => {};
    });
    stopLoops = handlers ? startNode(backend, flags, handlers, logger, fail) : startLoops(backend, flags, logger);
  });
  println(`gantry server on ${server.url} (engine ${redactUrl(url)})`);
  println(`  API ${server.url}/api/v1   docs ${server.url}/docs   metrics ${server.url}/metrics`);
  if (handlers) {
    const queues = Object.keys(flags.queues).join(', ');
    println(`  worker: ${Object.keys(handlers).length} handlers, queues ${queues}, concurrency ${flags.concurrency}`);
  }
  const gaveUp = await Promise.race([trap.received.then(() => null), failed]);
  // The worker and loops stop first (running jobs may finish): closing the server closes the
  // engine they use.
  await (stopLoops as (() => Promise<void>) | null)?.();
  await (
    await eventFile
  )();
  await server.close();
  trap.release();
  if (gaveUp) throw gaveUp;
}

/** Registers `server`. */
export function register(program: Command): void {
  const cmd = program
    .command('server')
    .description('run the HTTP API, dashboard and metrics, with maintenance and the scheduler')
    .addOption(
      new Option('--port <port>', 'port to listen on')
        .env('GANTRY_PORT')
        .default(DEFAULT_HTTP_PORT)
        .argParser(parseIntFlag('--port', 0, 65535)),
    )
    .addOption(
      envOption('--host <host>', 'address to bind; public addresses need tokens', 'GANTRY_HOST', DEFAULT_HTTP_HOST),
    )
    .addOption(
      envOption('--tokens-file <file>', 'file of role:token lines (or set GANTRY_API_TOKENS)', 'GANTRY_TOKENS_FILE'),
    )
    .addOption(
      envOption(
        '--allowed-hosts <names>',
        'without tokens, host names answered besides localhost and loopback addresses (comma-separated)',
        'GANTRY_ALLOWED_HOSTS',
      ),
    )
    .addOption(
      envOption(
        '--handlers <module>',
        'run a worker too, with this module’s handlers (default export: type → handler): a whole node',
        'GANTRY_HANDLERS',
      ),
    )
    .addOption(
      envOption(
        '--job-log <which>',
        'with --handlers, log each job: all, failures or off',
        'GANTRY_JOB_LOG',
        'all',
      ).argParser(parseJobLog),
    )
    .addOption(eventLogOption())
    .addOption(new Option('--no-maintenance', 'do not run maintenance in this process'))
    .addOption(new Option('--no-scheduler', 'do not run the scheduler in this process'))
    .addOption(
      new Option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`).default('info').argParser(parseLogLevel),
    )
    .addOption(
      new Option('--log-format <format>', `one of ${LOG_FORMATS.join(', ')}`).default('json').argParser(parseLogFormat),
    );
  // The worker's flags apply with --handlers only.
  addWorkerOptions(cmd, { concurrency: DEFAULT_CONCURRENCY }).action(async (flags: ServerFlags, c: Command) =>
    runServer(flags, c),
  );
}
