/**
 * `gantry bench`: runs the benchmark harness (`bench/run.js`, the same as `npm run bench`)
 * against graphile-worker and pg-boss (PostgreSQL) or plainjob (SQLite). The harness and the
 * peers are development files, so the command works from a source checkout with its dev
 * dependencies installed, not from a published package.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { engineOf } from '../../backend/open.js';
import { ValidationError } from '../../core/errors.js';
import { globals, parseIntFlag } from '../context.js';

interface BenchFlags {
  engine?: 'postgres' | 'redis' | 'sqlite' | 'nats';
  jobs?: number;
  repeat?: number;
  quick?: boolean;
  only?: string;
  skip?: string;
  pgUrl?: string;
  out?: string;
}

/** `bench/run.js` of the checkout this CLI was built from (dist/cli/commands → the root). */
export function harnessPath(): string {
  return fileURLToPath(new URL('../../../bench/run.js', import.meta.url));
}

/**
 * The harness arguments for the flags. The engine defaults to the one the global `--url`
 * names (SQLite otherwise); a `postgres://` or `redis://` global URL is also the server
 * benchmarked, a `nats://` one too (its first server, without the options).
 */
export function harnessArgs(flags: BenchFlags, url: string, json: boolean): string[] {
  const urlEngine = engineOf(url);
  const engine = flags.engine ?? (urlEngine === 'sqlite' || urlEngine === null ? 'sqlite' : urlEngine);
  const args = ['--engine', engine];
  if (flags.jobs !== undefined) args.push('--jobs', String(flags.jobs));
  if (flags.repeat !== undefined) args.push('--repeat', String(flags.repeat));
  if (flags.quick) args.push('--quick');
  if (flags.only) args.push('--only', flags.only);
  if (flags.skip) args.push('--skip', flags.skip);
  const pgUrl = flags.pgUrl ?? (engine === 'postgres' && urlEngine === 'postgres' ? url : undefined);
  if (pgUrl) args.push('--pg-url', pgUrl);
  if (engine === 'redis' && urlEngine === 'redis') args.push('--redis-url', url);
  if (engine === 'nats' && urlEngine === 'nats') args.push('--nats-url', url.split('?')[0]!.split(',')[0]!);
  if (json) args.push('--json');
  else if (flags.out) args.push('--json', flags.out);
  return args;
}

/** Registers `bench`. */
export function register(program: Command): void {
  program
    .command('bench')
    .description(
      'measure Gantry against graphile-worker and pg-boss (PostgreSQL), plainjob (SQLite), BullMQ (Redis) or raw JetStream (NATS) on this machine',
    )
    .addOption(
      new Option('--engine <engine>', 'engine to measure (default: the one --url names)').choices([
        'postgres',
        'redis',
        'sqlite',
        'nats',
      ]),
    )
    .option('--jobs <n>', 'jobs per drain and batch-enqueue run (default 20000)', parseIntFlag('--jobs', 100))
    .option('--repeat <n>', 'runs per measurement; the median is printed (default 3)', parseIntFlag('--repeat', 1))
    .option('--quick', 'a short smoke run (2000 jobs, one repeat)')
    .option('--only <systems>', 'comma-separated systems, e.g. gantry,graphile-worker')
    .option('--skip <parts>', 'comma-separated parts to leave out: enqueue,drain,latency,memory')
    .addOption(
      new Option('--pg-url <url>', 'PostgreSQL database to benchmark in (fresh schemas, dropped after)').env(
        'BENCH_PG_URL',
      ),
    )
    .option('--out <file>', 'also write the results as JSON to this file')
    .action(async (flags: BenchFlags, cmd: Command) => {
      const harness = harnessPath();
      if (!existsSync(harness)) {
        throw new ValidationError(
          `gantry bench needs the benchmark harness (${harness}); run it from a source checkout of Gantry with its dev dependencies installed (npm install), or use npm run bench there`,
        );
      }
      const g = globals(cmd);
      const child = spawn(process.execPath, [harness, ...harnessArgs(flags, g.url, g.json)], { stdio: 'inherit' });
      const code = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
      });
      process.exitCode = code;
    });
}
