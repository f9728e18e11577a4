/**
 * Builds the `gantry` command line: the global options and every command group. Each group
 * lives in `commands/<name>.ts` and exports `register(program)`.
 */
import { Command, Option } from 'commander';
import { DEFAULT_URL } from '../core/constants.js';
import { register as registerBench } from './commands/bench.js';
import { register as registerDev } from './commands/dev.js';
import { register as registerEnqueue } from './commands/enqueue.js';
import { register as registerJobs } from './commands/jobs.js';
import { register as registerMigrate } from './commands/migrate.js';
import { register as registerQueues } from './commands/queues.js';
import { register as registerSchedules } from './commands/schedules.js';
import { register as registerServer } from './commands/server.js';
import { register as registerWorker } from './commands/worker.js';
import { register as registerWorkers } from './commands/workers.js';

/** The version printed by `gantry --version`, kept in step with package.json by the release. */
export const CLI_VERSION = '0.1.0';

/** Makes a fresh program (tests build one per run; commander keeps state between parses). */
export function buildProgram(): Command {
  const program = new Command('gantry')
    .description('Distributed background jobs: run workers, enqueue and inspect jobs, operate queues.')
    .version(CLI_VERSION)
    .addOption(
      new Option('--url <url>', 'engine URL: sqlite:<file>, postgres://…, redis://… or nats://host:4222')
        .env('GANTRY_URL')
        .default(DEFAULT_URL),
    )
    .addOption(new Option('--json', 'print machine-readable JSON instead of tables').env('GANTRY_JSON'))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of [
    registerDev,
    registerWorker,
    registerEnqueue,
    registerJobs,
    registerQueues,
    registerWorkers,
    registerSchedules,
    registerServer,
    registerMigrate,
    registerBench,
  ]) {
    register(program);
  }
  return program;
}
