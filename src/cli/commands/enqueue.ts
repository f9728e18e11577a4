/** `gantry enqueue <type>`: adds one job and prints its id (the job as JSON with `--json`). */
import type { Command } from 'commander';
import type { BackoffPolicy } from '../../core/backoff.js';
import { DEFAULT_QUEUE } from '../../core/constants.js';
import type { Priority } from '../../core/priority.js';
import { jobToJson } from '../../core/serialize.js';
import type { EnqueueOptions } from '../../core/validate.js';
import { parseIntFlag, parseJsonFlag, withClient } from '../context.js';
import { printJson, println } from '../output.js';

interface EnqueueFlags {
  payload?: string;
  queue?: string;
  priority?: string;
  delay?: string;
  runAt?: string;
  maxAttempts?: number;
  backoff?: string;
  timeout?: string;
  deadline?: string;
  uniqueKey?: string;
  uniqueWindow?: string;
  deleteOnComplete?: boolean;
  id?: string;
  tag?: string[];
}

/**
 * `--backoff`: a policy as JSON (`{"type":"linear","stepMs":1000}`), or text the core reads as
 * the API does (`parseBackoff`): a duration (`2s`, fixed), `exponential`, a list (`1s,5s,30s`).
 */
export function parseBackoffFlag(value: string): BackoffPolicy | string {
  const v = value.trim();
  return v.startsWith('{') ? (parseJsonFlag('--backoff', v) as BackoffPolicy) : v;
}

/** Turns the flags into enqueue options; the core validates every value. */
function toOptions(f: EnqueueFlags): EnqueueOptions {
  const o: EnqueueOptions = {};
  if (f.queue !== undefined) o.queue = f.queue;
  if (f.priority !== undefined) o.priority = /^-?\d+$/.test(f.priority) ? Number(f.priority) : (f.priority as Priority);
  if (f.delay !== undefined) o.delay = f.delay;
  if (f.runAt !== undefined) o.runAt = f.runAt;
  if (f.maxAttempts !== undefined) o.maxAttempts = f.maxAttempts;
  if (f.backoff !== undefined) o.backoff = parseBackoffFlag(f.backoff);
  if (f.timeout !== undefined) o.timeout = f.timeout;
  if (f.deadline !== undefined) o.deadline = f.deadline;
  if (f.uniqueKey !== undefined) o.uniqueKey = f.uniqueKey;
  if (f.uniqueWindow !== undefined) o.uniqueWindow = f.uniqueWindow;
  if (f.deleteOnComplete) o.deleteOnComplete = true;
  if (f.id !== undefined) o.id = f.id;
  if (f.tag !== undefined) o.tags = f.tag;
  return o;
}

/** Registers `enqueue`. */
export function register(program: Command): void {
  program
    .command('enqueue <type>')
    .description('enqueue one job of <type> and print its id')
    .option('--payload <json>', 'the payload, as JSON', 'null')
    .option('--queue <queue>', 'queue', DEFAULT_QUEUE)
    .option('--priority <priority>', 'integer (higher first) or critical, high, normal, low', 'normal')
    .option('--delay <duration>', 'run after this delay, e.g. 10s, 5m (exclusive with --run-at)')
    .option('--run-at <iso>', 'run not before this time (ISO 8601)')
    .option(
      '--max-attempts <n>',
      'attempts allowed; 1 = no retry (default 25)',
      parseIntFlag('--max-attempts', 1, 1000),
    )
    .option('--backoff <policy>', 'wait between attempts: 2s (fixed), 1s,5s,30s (list), exponential, or JSON')
    .option('--timeout <duration>', 'the most one attempt may run, e.g. 30s')
    .option('--deadline <iso>', 'not started after this time: the job expires')
    .option('--unique-key <key>', 'at most one live job with this key')
    .option('--unique-window <duration>', 'keep the unique key reserved this long after the job ends')
    .option('--delete-on-complete', 'delete the job when its handler returns instead of keeping it as completed')
    .option('--id <id>', 'your own job id (enqueue is idempotent on it)')
    .option('--tag <tag>', 'a label for filtering (repeat for more)', (t: string, all: string[] = []) => [...all, t])
    .action(async (type: string, flags: EnqueueFlags, cmd: Command) => {
      const payload = parseJsonFlag('--payload', flags.payload ?? 'null');
      await withClient(
        cmd,
        async (client, g) => {
          const job = await client.enqueue(type, payload, toOptions(flags));
          if (g.json) printJson(jobToJson(job));
          else println(job.id);
        },
        { create: true },
      );
    });
}
