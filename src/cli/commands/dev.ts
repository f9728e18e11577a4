/**
 * `gantry dev`: everything in one process on the embedded default — a worker with the demo
 * handlers, maintenance, the scheduler and the HTTP server/dashboard when this build has
 * them — with demo jobs on first start and every job's progress printed as it happens.
 */
import type { Command } from 'commander';
import type { Backend } from '../../backend/backend.js';
import { openBackend } from '../../backend/open.js';
import { Client } from '../../client/client.js';
import { DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT } from '../../server/constants.js';
import { ValidationError } from '../../core/errors.js';
import { demoHandlers } from '../../dev/demo-handlers.js';
import { enqueueDemoJobsOnce } from '../../dev/demo-jobs.js';
import type { Logger } from '../../worker/types.js';
import { envOption, globals, parseIntFlag, splitList } from '../context.js';
import { startEventLog } from '../event-log.js';
import { makeLogger } from '../logger.js';
import { println } from '../output.js';
import {
  addRunOptions,
  eventLogOption,
  loadHandlers,
  maybeEventFile,
  runtimeOptions,
  type RunFlags,
} from './worker.js';

/** Dev runs few jobs at once, so priorities show in the order jobs start. */
export const DEV_CONCURRENCY = 3;
/**
 * Dev claims only for free slots: a prefetched job counts as started (its `job.started` is sent
 * at claim), so with a buffer the log would show more jobs started than run at once.
 */
export const DEV_PREFETCH = 0;

interface DevFlags extends RunFlags {
  handlers?: string;
  eventLog?: string;
  demo: boolean;
  server: boolean;
  port: number;
  host: string;
  allowedHosts?: string;
}

/** A started HTTP server: where it listens, how to stop it. */
interface DevServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the HTTP API and dashboard on the dev engine: loopback only, no tokens. The one
 * place that knows the server's start function; loaded lazily so other commands never load
 * Fastify.
 */
async function startDevServer(backend: Backend, flags: DevFlags, logger: Logger): Promise<DevServer> {
  const { startServer } = await import('../../server/index.js');
  try {
    const allowedHosts = splitList(flags.allowedHosts) ?? [];
    return await startServer({ backend, host: flags.host, port: flags.port, logger, allowedHosts });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    throw new ValidationError(
      `port ${flags.port} on ${flags.host} is in use: pass --port <another> (0 picks a free one) or --no-server`,
      { cause: err },
    );
  }
}

/** The first lines dev prints: where it runs and what it started. */
function banner(url: string, workerId: string, flags: DevFlags, server: DevServer | null): void {
  println(`gantry dev on ${url}`);
  println(
    `  worker     ${workerId} (queues ${Object.keys(flags.queues).join(', ')}, concurrency ${flags.concurrency})`,
  );
  if (server) println(`  dashboard  ${server.url}  (API ${server.url}/api/v1, docs ${server.url}/docs)`);
  println('  Ctrl+C to stop (twice to force)');
}

/** Enqueues the demo jobs on the first start and says so. */
async function demo(client: Client): Promise<void> {
  const jobs = await enqueueDemoJobsOnce(client);
  if (jobs === null) println('  demo jobs  enqueued on an earlier start (delete the database file to see them again)');
  else println(`  demo jobs  ${jobs.length} enqueued: high and normal priority, progress, fails-once, delayed`);
  println();
}

async function runDev(flags: DevFlags, c: Command): Promise<void> {
  const url = globals(c).url;
  const logger = await makeLogger(flags.logLevel, flags.logFormat);
  const handlers = { ...demoHandlers, ...(flags.handlers ? await loadHandlers(flags.handlers) : {}) };
  // Loaded here so the short commands never load the worker runtime.
  const { startRuntime, trapSignals } = await import('../runtime.js');
  const signals = trapSignals(logger, () => println('\nstopping: running jobs may finish (Ctrl+C again to force)'));
  const backend = await openBackend({ url, pollMs: flags.poll });
  const client = new Client(backend);
  let stopEventFile = async (): Promise<void> => {};
  try {
    stopEventFile = await maybeEventFile(backend, flags.eventLog);
    // The server first: a busy port stops dev before any job is claimed.
    const server = flags.server ? await startDevServer(backend, flags, logger) : null;
    const runtime = await startRuntime(runtimeOptions(flags, backend, handlers, logger));
    banner(url, runtime.worker.id, flags, server);
    const stopLog = await startEventLog(client);
    if (flags.demo) await demo(client);
    await signals.received;
    await server?.close();
    await runtime.stop();
    await stopLog();
    println('stopped');
  } finally {
    await stopEventFile();
    signals.release();
    await backend.close();
  }
}

/** Registers `dev`. */
export function register(program: Command): void {
  const cmd = program
    .command('dev')
    .description('run Gantry locally: worker, maintenance, demo handlers and jobs, live output')
    .addOption(
      envOption('--handlers <module>', 'your own handlers too (default export: type → handler)', 'GANTRY_HANDLERS'),
    )
    .addOption(envOption('--no-demo', 'do not enqueue the demo jobs', 'GANTRY_NO_DEMO'))
    .addOption(envOption('--no-server', 'do not start the HTTP server and dashboard', 'GANTRY_NO_SERVER'))
    .addOption(
      envOption('--port <port>', 'port of the HTTP server and dashboard', 'GANTRY_PORT')
        .default(DEFAULT_HTTP_PORT)
        .argParser(parseIntFlag('--port', 0, 65535)),
    )
    .addOption(envOption('--host <host>', 'host the HTTP server binds to', 'GANTRY_HOST', DEFAULT_HTTP_HOST))
    .addOption(
      envOption(
        '--allowed-hosts <names>',
        'host names the server answers besides localhost and loopback addresses (comma-separated)',
        'GANTRY_ALLOWED_HOSTS',
      ),
    )
    .addOption(eventLogOption());
  addRunOptions(cmd, {
    logFormat: 'pretty',
    logLevel: 'warn',
    concurrency: DEV_CONCURRENCY,
    prefetch: DEV_PREFETCH,
  }).action(runDev);
}
