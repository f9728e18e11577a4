/**
 * `gantry schedules …`: list, add, remove, pause, resume and trigger recurring schedules, and
 * preview a spec's next fire times without storing anything (docs/schedules.md).
 */
import { Option, type Command } from 'commander';
import { ScheduleClient } from '../../client/schedules.js';
import { NotFoundError } from '../../core/errors.js';
import type { Priority } from '../../core/priority.js';
import { jobToJson } from '../../core/serialize.js';
import type { EnqueueOptions } from '../../core/validate.js';
import { scheduleToJson, type ScheduleInfo } from '../../scheduler/json.js';
import { MISFIRE_POLICIES, type MisfirePolicy } from '../../scheduler/plan.js';
import { parseSchedule } from '../../scheduler/spec.js';
import { globals, parseIntFlag, parseJsonFlag, withClient } from '../context.js';
import { printJson, printTable, println } from '../output.js';

/** `2030-01-01 09:30:00` as the wall clock reads in `timeZone`. */
export function formatInZone(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

function scheduleRow(s: ScheduleInfo): string[] {
  const tz = s.timezone ?? 'UTC';
  return [
    s.name,
    s.spec,
    tz,
    s.nextFireTimes.map((d) => formatInZone(d, tz)).join(', ') || '-',
    s.lastFireAt ? formatInZone(s.lastFireAt, tz) : '-',
    s.paused ? 'paused' : 'active',
  ];
}

interface AddFlags {
  payload?: string;
  queue?: string;
  tz?: string;
  misfire?: MisfirePolicy;
  paused?: boolean;
  priority?: string;
  maxAttempts?: number;
  timeout?: string;
  uniqueKey?: string;
  metadata?: string;
}

function templateOptions(f: AddFlags): Record<string, unknown> | undefined {
  const o: EnqueueOptions = {};
  if (f.priority !== undefined) o.priority = /^-?\d+$/.test(f.priority) ? Number(f.priority) : (f.priority as Priority);
  if (f.maxAttempts !== undefined) o.maxAttempts = f.maxAttempts;
  if (f.timeout !== undefined) o.timeout = f.timeout;
  if (f.uniqueKey !== undefined) o.uniqueKey = f.uniqueKey;
  if (f.metadata !== undefined) o.metadata = parseJsonFlag('--metadata', f.metadata) as Record<string, unknown>;
  return Object.keys(o).length > 0 ? (o as Record<string, unknown>) : undefined;
}

function registerAdd(schedules: Command): void {
  schedules
    .command('add <name> <spec> <type>')
    .description('create or change a schedule: <spec> is cron ("*/5 * * * *") or a phrase ("every weekday at 18:00")')
    .option('--payload <json>', 'the payload of each job, as JSON')
    .option('--queue <queue>', 'the queue of each job')
    .option('--tz <zone>', 'IANA time zone the spec is read in (default UTC)')
    .addOption(
      new Option('--misfire <policy>', 'after downtime: skip, once (one job for the missed times) or all').choices(
        MISFIRE_POLICIES,
      ),
    )
    .option('--paused', 'store it paused')
    .option('--priority <p>', 'critical, high, normal, low or an integer')
    .option('--max-attempts <n>', 'attempts per job (1 = no retry)', parseIntFlag('--max-attempts', 1, 1000))
    .option('--timeout <duration>', 'most one attempt may run, e.g. 30s')
    .option('--metadata <json>', 'metadata of each job, a JSON object (the scheduler adds schedule and fireAt)')
    .option('--unique-key <key>', 'at most one live job of this schedule at a time (skips a fire while one runs)')
    .action(async (name: string, spec: string, type: string, f: AddFlags, cmd: Command) => {
      await withClient(
        cmd,
        async (client, g) => {
          const options = templateOptions(f);
          const template = {
            type,
            ...(f.queue === undefined ? {} : { queue: f.queue }),
            ...(f.payload === undefined ? {} : { payload: parseJsonFlag('--payload', f.payload) }),
            ...(options ? { options } : {}),
          };
          await client.schedules.set(name, spec, template, {
            ...(f.tz === undefined ? {} : { timezone: f.tz }),
            ...(f.misfire === undefined ? {} : { misfire: f.misfire }),
            ...(f.paused ? { paused: true } : {}),
          });
          const info = (await client.schedules.get(name))!;
          if (g.json) return printJson(scheduleToJson(info));
          println(`${info.name} saved; next: ${scheduleRow(info)[3]} (${info.timezone ?? 'UTC'})`);
        },
        { create: true },
      );
    });
}

function registerActions(schedules: Command): void {
  const actions = {
    rm: 'remove a schedule (jobs it already enqueued stay)',
    pause: 'stop a schedule from firing',
    resume: 'let a paused schedule fire again, from its next time after now',
    trigger: 'enqueue the schedule’s job now',
  } as const;
  for (const [action, description] of Object.entries(actions) as [keyof typeof actions, string][]) {
    const c = schedules.command(`${action} <name>`).description(description);
    if (action === 'rm') c.alias('remove');
    c.action(async (name: string, _f: unknown, cmd: Command) => {
      await withClient(cmd, async (client, g) => {
        const s = client.schedules;
        if (action === 'rm') {
          const removed = await s.remove(name);
          if (!removed) throw new NotFoundError('schedule', name);
          return g.json ? printJson({ name, removed }) : println(`${name} removed`);
        }
        if (action === 'trigger') {
          const job = await s.trigger(name);
          return g.json ? printJson(jobToJson(job)) : println(job.id);
        }
        const rec = await s[action](name);
        if (g.json) printJson(scheduleToJson(rec));
        else println(`${rec.name} ${rec.paused ? 'paused' : 'resumed'}`);
      });
    });
  }
}

function registerPreview(schedules: Command): void {
  schedules
    .command('preview <spec>')
    .description('print the next fire times of a cron expression or phrase, storing nothing')
    .option('-n, --count <n>', 'how many fire times', parseIntFlag('-n', 1, 1000), 5)
    .option('--tz <zone>', 'IANA time zone the spec is read in (default UTC)')
    .action((spec: string, f: { count: number; tz?: string }, cmd: Command) => {
      const parsed = parseSchedule(spec, f.tz);
      const times = ScheduleClient.preview(spec, f.count, f.tz);
      if (globals(cmd).json) {
        return printJson({
          spec,
          timezone: parsed.timezone,
          crons: parsed.crons,
          next: times.map((d) => d.toISOString()),
        });
      }
      println(`${spec}  =  ${parsed.crons.join('  +  ')}  (${parsed.timezone})`);
      for (const d of times) println(`${formatInZone(d, parsed.timezone)}  ${d.toISOString()}`);
    });
}

/** Registers `schedules ls|add|rm|pause|resume|trigger|preview`. */
export function register(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('recurring schedules: cron or phrases like "every 15 minutes"');
  schedules
    .command('ls')
    .alias('list')
    .description('every schedule with its time zone, next fire times, last run and state')
    .option('-n, --next <n>', 'how many next fire times to show', parseIntFlag('--next', 0, 100), 3)
    .action(async (f: { next: number }, cmd: Command) => {
      await withClient(cmd, async (client, g) => {
        const list = await client.schedules.list({ next: f.next });
        if (g.json) return printJson(list.map(scheduleToJson));
        printTable(['NAME', 'SPEC', 'TZ', 'NEXT', 'LAST RUN', 'STATE'], list.map(scheduleRow), '(no schedules)');
      });
    });
  registerAdd(schedules);
  registerActions(schedules);
  registerPreview(schedules);
}
