/** `gantry jobs …`: list, show, retry, cancel, delete and watch jobs. */
import type { Command } from 'commander';
import { MAX_LIST_LIMIT, DEFAULT_LIST_LIMIT } from '../../core/constants.js';
import { NotFoundError } from '../../core/errors.js';
import type { Job, JobState } from '../../core/job.js';
import { jobToJson } from '../../core/serialize.js';
import { parseIntFlag, splitList, withClient } from '../context.js';
import { formatDuration, formatProgress, formatTime, printJson, printTable, println, shortJson } from '../output.js';
import { watchJob } from '../watch.js';

interface LsFlags {
  state?: string;
  queue?: string;
  type?: string;
  tag?: string;
  text?: string;
  limit: number;
  cursor?: string;
}

/** One table row per job. */
function jobRow(j: Job): (string | number)[] {
  return [
    j.id,
    j.type,
    j.queue,
    j.state,
    j.priority,
    `${j.attempts}/${j.maxAttempts}`,
    formatProgress(j),
    formatTime(j.createdAt),
  ];
}

/** The fields of `jobs show`, one per line, for people. */
export function describeJob(j: Job): string {
  const ran = j.startedAt && j.finishedAt ? ` (${formatDuration(j.finishedAt.getTime() - j.startedAt.getTime())})` : '';
  const lines: [string, string][] = [
    ['id', j.id],
    ['type', j.type],
    ['queue', j.queue],
    ['state', j.state],
    ['priority', String(j.priority)],
    ['attempts', `${j.attempts}/${j.maxAttempts}`],
    ['progress', j.progress ? `${formatProgress(j)}${j.progress.message ? ` ${j.progress.message}` : ''}` : '-'],
    ['run at', formatTime(j.runAt)],
    ['deadline', formatTime(j.deadline)],
    ['timeout', j.timeoutMs === null ? '-' : formatDuration(j.timeoutMs)],
    ['unique key', j.uniqueKey ?? '-'],
    ['tags', j.tags.length ? j.tags.join(', ') : '-'],
    ['worker', j.workerId ?? '-'],
    ['lease until', formatTime(j.leaseUntil)],
    ['created', formatTime(j.createdAt)],
    ['started', formatTime(j.startedAt)],
    ['finished', `${formatTime(j.finishedAt)}${ran}`],
    ['payload', shortJson(j.payload, 200)],
    ['result', j.result === null ? '-' : shortJson(j.result, 200)],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  const out = lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (j.errors.length > 0) {
    out.push('errors:');
    for (const e of j.errors) {
      out.push(
        `  #${e.attempt} ${formatTime(e.at)}${e.code ? ` [${e.code}]` : ''} ${e.message}${e.workerId ? ` (${e.workerId})` : ''}`,
      );
    }
  }
  return out.join('\n');
}

async function getOrThrow(client: { get(id: string): Promise<Job | null> }, id: string): Promise<Job> {
  const job = await client.get(id);
  if (!job) throw new NotFoundError('job', id);
  return job;
}

function registerLs(jobs: Command): void {
  jobs
    .command('ls')
    .alias('list')
    .description('list jobs, newest first')
    .option('--state <states>', 'only these states (comma-separated)')
    .option('--queue <queues>', 'only these queues (comma-separated)')
    .option('--type <types>', 'only these job types (comma-separated)')
    .option('--tag <tags>', 'only jobs with all these tags (comma-separated)')
    .option('--text <text>', 'id, type or payload contains this text')
    .option(
      '--limit <n>',
      `page size (at most ${MAX_LIST_LIMIT})`,
      parseIntFlag('--limit', 1, MAX_LIST_LIMIT),
      DEFAULT_LIST_LIMIT,
    )
    .option('--cursor <cursor>', 'the next page: the nextCursor of the page before')
    .action(async (f: LsFlags, cmd: Command) => {
      await withClient(cmd, async (client, g) => {
        const page = await client.list({
          ...(f.state ? { state: splitList(f.state) as JobState[] } : {}),
          ...(f.queue ? { queue: splitList(f.queue) } : {}),
          ...(f.type ? { type: splitList(f.type) } : {}),
          ...(f.tag ? { tag: splitList(f.tag) } : {}),
          ...(f.text ? { text: f.text } : {}),
          limit: f.limit,
          cursor: f.cursor ?? null,
        });
        if (g.json) return printJson({ jobs: page.jobs.map(jobToJson), nextCursor: page.nextCursor });
        printTable(
          ['ID', 'TYPE', 'QUEUE', 'STATE', 'PRIORITY', 'ATTEMPTS', 'PROGRESS', 'CREATED'],
          page.jobs.map(jobRow),
          '(no jobs)',
        );
        if (page.nextCursor) println(`more: --cursor ${page.nextCursor}`);
      });
    });
}

function registerActions(jobs: Command): void {
  jobs
    .command('show <id>')
    .description('show one job: payload, result, errors, timings')
    .action(async (id: string, _f: unknown, cmd: Command) => {
      await withClient(cmd, async (client, g) => {
        const job = await getOrThrow(client, id);
        if (g.json) printJson(jobToJson(job));
        else println(describeJob(job));
      });
    });
  const change = (name: string, what: string, fn: 'retry' | 'cancel' | 'promote'): void => {
    jobs
      .command(`${name} <id>`)
      .description(what)
      .action(async (id: string, _f: unknown, cmd: Command) => {
        await withClient(cmd, async (client, g) => {
          const job = await client[fn](id);
          if (g.json) printJson(jobToJson(job));
          else println(`${job.id} ${job.state}`);
        });
      });
  };
  change('retry', 'run a finished job (failed, cancelled, expired, completed) again', 'retry');
  change('cancel', 'cancel a live job (a running handler sees its signal fire)', 'cancel');
  change('promote', 'run a delayed or retrying job now (its attempts are kept)', 'promote');
  jobs
    .command('rm <id>')
    .alias('delete')
    .description('delete a finished job (any job with --force)')
    .option('--force', 'delete even a live job')
    .action(async (id: string, f: { force?: boolean }, cmd: Command) => {
      await withClient(cmd, async (client, g) => {
        const full = await client.resolveId(id);
        await client.delete(full, { force: f.force === true });
        if (g.json) printJson({ id: full, deleted: true });
        else println(`${full} deleted`);
      });
    });
  jobs
    .command('watch <id>')
    .description('follow a job live (progress bar) until it ends; exits non-zero unless it completed')
    .action(async (id: string, _f: unknown, cmd: Command) => {
      await withClient(cmd, async (client, g) => {
        const final = await watchJob(client, id, g.json);
        if (final.state !== 'completed') process.exitCode = 1;
      });
    });
}

/** Registers `jobs ls|show|retry|cancel|promote|rm|watch`. */
export function register(program: Command): void {
  const jobs = program
    .command('jobs')
    .description('inspect and operate jobs; every <id> may be short: its last 8 or more characters (…1a2b3c4d)');
  registerLs(jobs);
  registerActions(jobs);
}
