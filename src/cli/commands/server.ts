/**
 * `gantry server`: the HTTP API, dashboard, metrics and health on `--url`, with maintenance and
 * the scheduler in the same process, so one command runs everything but the workers. Tokens
 * come from GANTRY_API_TOKENS or --tokens-file, never from the command line.
 */
import { Option, type Command } from 'commander';
import type { Backend } from '../../backend/backend.js';
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

interface ServerFlags {
  port: number;
  host: string;
  tokensFile?: string;
  allowedHosts?: string;
  maintenance: boolean;
  scheduler: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/** Background loops the server process runs once the engine is open. */
function startLoops(
  backend: Backend,
  flags: ServerFlags,
  logger: Awaited<ReturnType<typeof makeLogger>>,
): () => Promise<void> {
  const maintenance = flags.maintenance ? new Maintenance({ backend, logger }) : null;
  const scheduler = flags.scheduler ? new Scheduler({ backend, logger }) : null;
  maintenance?.start();
  const started = scheduler?.start();
  return async () => {
    await started;
    await Promise.all([maintenance?.stop(), scheduler?.stop()]);
  };
}

async function runServer(flags: ServerFlags, cmd: Command): Promise<void> {
  // Loaded here, not at the top, so other commands do not pay for Fastify at start-up.
  const { startServer } = await import('../../server/index.js');
  const { trapSignals } = await import('../runtime.js');
  const { url } = globals(cmd);
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
  server.onBackend((backend) => {
    stopLoops = startLoops(backend, flags, logger);
  });
  println(`gantry server on ${server.url} (engine ${redactUrl(url)})`);
  println(`  API ${server.url}/api/v1   docs ${server.url}/docs   metrics ${server.url}/metrics`);
  await trap.received;
  // The loops stop first: closing the server closes the engine they use.
  await (stopLoops as (() => Promise<void>) | null)?.();
  await server.close();
  trap.release();
}

/** Registers `server`. */
export function register(program: Command): void {
  program
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
    .addOption(new Option('--no-maintenance', 'do not run maintenance in this process'))
    .addOption(new Option('--no-scheduler', 'do not run the scheduler in this process'))
    .addOption(
      new Option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`).default('info').argParser(parseLogLevel),
    )
    .addOption(
      new Option('--log-format <format>', `one of ${LOG_FORMATS.join(', ')}`).default('json').argParser(parseLogFormat),
    )
    .action(async (flags: ServerFlags, cmd: Command) => runServer(flags, cmd));
}
