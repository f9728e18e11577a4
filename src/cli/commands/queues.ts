/** `gantry queues …`: counts by state per queue, pause, resume, settings and remove. */
import { Option, type Command } from 'commander';
import type { QueueInfo, QueueSettings } from '../../backend/backend.js';
import { parseDuration } from '../../core/duration.js';
import { formatDuration } from '../output.js';
import { JOB_STATES } from '../../core/job.js';
import { parseIntFlag, withClient } from '../context.js';
import { printJson, printTable, println } from '../output.js';

/** A queue as JSON: its settings and its counts by state. */
export function queueToJson(q: QueueInfo): QueueInfo {
  return {
    name: q.name,
    paused: q.paused,
    concurrency: q.concurrency,
    sizeCap: q.sizeCap,
    sizePolicy: q.sizePolicy,
    timeoutMs: q.timeoutMs,
    maxAttempts: q.maxAttempts,
    weight: q.weight,
    counts: q.counts,
  };
}

/** What a flag of `queues set` says to clear a setting (commander turns a parsed `null` into `''`). */
const NONE = 'none';

/** The flags of `queues set`: each a value, or `none` to clear it. */
interface SetFlags {
  concurrency?: number | typeof NONE;
  sizeCap?: number | typeof NONE;
  sizePolicy?: QueueSettings['sizePolicy'];
  timeout?: number | typeof NONE;
  maxAttempts?: number | typeof NONE;
  weight?: number | typeof NONE;
}

/** A flag parser that keeps `none` (clear the setting) and reads anything else with `parse`. */
function orNone<T>(parse: (value: string) => T): (value: string) => T | typeof NONE {
  return (value) => (value.trim().toLowerCase() === NONE ? NONE : parse(value));
}

/** The settings the flags of `queues set` change; the rest are kept. */
function settingsOf(f: SetFlags): QueueSettings {
  const value = (v: number | typeof NONE): number | null => (v === NONE ? null : v);
  const out: QueueSettings = {};
  if (f.concurrency !== undefined) out.concurrency = value(f.concurrency);
  if (f.sizeCap !== undefined) out.sizeCap = value(f.sizeCap);
  if (f.sizePolicy !== undefined) out.sizePolicy = f.sizePolicy;
  if (f.timeout !== undefined) out.timeoutMs = value(f.timeout);
  if (f.maxAttempts !== undefined) out.maxAttempts = value(f.maxAttempts);
  if (f.weight !== undefined) out.weight = value(f.weight);
  return out;
}

/** One line of a queue's settings, as `queues set` prints them. */
function settingsLine(q: QueueInfo): string {
  const show = (v: number | null): string => (v === null ? 'none' : String(v));
  return [
    `${q.name}${q.paused ? ' (paused)' : ''}:`,
    `concurrency ${show(q.concurrency)},`,
    `size cap ${show(q.sizeCap)} (${q.sizePolicy}),`,
    `timeout ${q.timeoutMs === null ? 'none' : formatDuration(q.timeoutMs)},`,
    `max attempts ${show(q.maxAttempts)},`,
    `weight ${show(q.weight)}`,
  ].join(' ');
}

/** Registers `queues set`. */
function registerSet(queues: Command): void {
  queues
    .command('set <queue>')
    .description('change a queue’s settings (creating it); `none` clears one')
    .option('--concurrency <n>', 'cap on its running jobs, cluster-wide', orNone(parseIntFlag('--concurrency', 1)))
    .option('--size-cap <n>', 'cap on its waiting jobs', orNone(parseIntFlag('--size-cap', 1)))
    .addOption(new Option('--size-policy <policy>', 'at the size cap').choices(['reject', 'drop-oldest']))
    .option(
      '--timeout <duration>',
      'most one attempt may run, for jobs that name no timeout (e.g. 60m)',
      orNone((v) => parseDuration(v, '--timeout')),
    )
    .option(
      '--max-attempts <n>',
      'attempts of jobs that name none (1: no retry)',
      orNone(parseIntFlag('--max-attempts', 1, 1000)),
    )
    .option(
      '--weight <n>',
      'its weight for workers that name none for it (--queues a,b)',
      orNone(parseIntFlag('--weight', 1, 1000)),
    )
    .action(async (name: string, f: SetFlags, cmd: Command) => {
      await withClient(
        cmd,
        async (client, g) => {
          const q = await client.setQueue(name, settingsOf(f));
          if (g.json) printJson(queueToJson(q));
          else println(settingsLine(q));
        },
        { create: true },
      );
    });
}

function queueRow(q: QueueInfo): (string | number | null)[] {
  return [q.name, q.paused ? 'paused' : 'active', ...JOB_STATES.map((s) => q.counts[s] ?? 0), q.concurrency];
}

/** Says on stderr that `name` was not a queue before this command made it (a typo, most likely). */
function warnNewQueue(name: string, action: 'pause' | 'resume'): void {
  process.stderr.write(
    `warning: queue ${JSON.stringify(name)} had no jobs and no settings: it now exists ${action === 'pause' ? 'paused' : 'unpaused'}; ` +
      `if the name is a typo, remove it with \`gantry queues rm ${name}\`\n`,
  );
}

/** Registers `queues ls|pause|resume|set|rm`. */
export function register(program: Command): void {
  const queues = program.command('queues').description('inspect and operate queues');
  queues
    .command('ls')
    .alias('list')
    .description('every queue with its job counts by state')
    .action(async (_f: unknown, cmd: Command) => {
      await withClient(cmd, async (client, g) => {
        const list = await client.queues();
        if (g.json) return printJson(list.map(queueToJson));
        const headers = ['QUEUE', 'STATUS', ...JOB_STATES.map((s) => s.toUpperCase()), 'CAP'];
        printTable(headers, list.map(queueRow), '(no queues)');
      });
    });
  for (const action of ['pause', 'resume'] as const) {
    queues
      .command(`${action} <queue>`)
      .description(
        action === 'pause'
          ? 'stop workers from claiming this queue, cluster-wide'
          : 'let workers claim this queue again',
      )
      .action(async (name: string, _f: unknown, cmd: Command) => {
        await withClient(cmd, async (client, g) => {
          const known = (await client.queues()).some((q) => q.name === name);
          const q = await client[action](name);
          if (!known) warnNewQueue(name, action);
          if (g.json) printJson(queueToJson(q));
          else println(`${q.name} ${q.paused ? 'paused' : 'resumed'}`);
        });
      });
  }
  registerSet(queues);
  queues
    .command('rm <queue>')
    .alias('remove')
    .description('remove a queue that has no jobs (its pause and caps)')
    .action(async (name: string, _f: unknown, cmd: Command) => {
      await withClient(cmd, async (client, g) => {
        await client.removeQueue(name);
        if (g.json) printJson({ name, removed: true });
        else println(`${name} removed`);
      });
    });
}
