/**
 * `client.schedules`: recurring schedules, stored in the backend so any process can add,
 * change, pause, resume, trigger and remove them at run time, and they survive restarts
 * (docs/schedules.md). A `Scheduler` somewhere in the cluster turns them into jobs.
 */
import type { Backend, ScheduleRecord } from '../backend/backend.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Job } from '../core/job.js';
import { validateScheduleName, type ValidationLimits } from '../core/validate.js';
import type { ScheduleInfo } from '../scheduler/json.js';
import { MISFIRE_POLICIES, type MisfirePolicy } from '../scheduler/plan.js';
import { nextFireTime, nextFireTimes, parseSchedule, previewSchedule } from '../scheduler/spec.js';
import { scheduledJob, validateTemplate, type ScheduleTemplate } from '../scheduler/template.js';

/** Options of `set`; left out, a change keeps the stored value. */
export interface ScheduleSetOptions {
  /** IANA zone the spec is read in (default UTC, or the zone the phrase names). */
  timezone?: string | null;
  /** After downtime: `skip` missed times, fire `once` (default) for them, or `all` up to a limit. */
  misfire?: MisfirePolicy;
  /** Store it paused. */
  paused?: boolean;
}

/** Schedules of one backend. */
export class ScheduleClient {
  constructor(
    private readonly backend: Backend,
    private readonly limits: ValidationLimits = {},
  ) {}

  /**
   * Creates or changes the schedule `name`. `spec` is a cron expression (5 or 6 fields) or a
   * phrase (`every 15 minutes`, `every weekday at 18:00 in Europe/Paris`); `template` is the
   * job each fire enqueues. A change of spec or zone takes effect from now on. Throws
   * `ScheduleParseError` for a spec that cannot be read, `ValidationError` for a bad template.
   */
  async set(
    name: string,
    spec: string,
    template: ScheduleTemplate,
    options: ScheduleSetOptions = {},
  ): Promise<ScheduleRecord> {
    const now = this.backend.clock.now();
    validateScheduleName(name);
    const parsed = parseSchedule(spec, options.timezone);
    const tpl = validateTemplate(template, now, this.limits);
    if (options.misfire !== undefined && !MISFIRE_POLICIES.includes(options.misfire)) {
      throw new ValidationError(
        `misfire must be one of ${MISFIRE_POLICIES.join(', ')}, got ${JSON.stringify(options.misfire)}`,
      );
    }
    const existing = await this.backend.scheduleGet({ name });
    const sameTimes =
      existing && existing.spec === spec && existing.timezone === parsed.timezone && existing.nextFireAt;
    const nextFireAt = sameTimes ? existing.nextFireAt : nextFireTime(parsed, now);
    if (!nextFireAt)
      throw new ValidationError(`schedule ${JSON.stringify(spec)} never fires; check its day and month fields`);
    return this.backend.scheduleUpsert({
      schedule: {
        name,
        spec,
        timezone: parsed.timezone,
        template: tpl,
        paused: options.paused ?? existing?.paused ?? false,
        misfire: options.misfire ?? existing?.misfire ?? 'once',
        lastFireAt: existing?.lastFireAt ?? null,
        nextFireAt,
        createdAt: existing?.createdAt ?? new Date(now),
        updatedAt: new Date(now),
      },
    });
  }

  /** One schedule with its next `next` fire times (default 3), or `null`. */
  async get(name: string, options: { next?: number } = {}): Promise<ScheduleInfo | null> {
    const rec = await this.backend.scheduleGet({ name: validateScheduleName(name) });
    return rec ? this.withNext(rec, options.next ?? 3) : null;
  }

  /** Every schedule, by name, each with its next `next` fire times (default 3). */
  async list(options: { next?: number } = {}): Promise<ScheduleInfo[]> {
    const n = options.next ?? 3;
    if (!Number.isInteger(n) || n < 0 || n > 1000)
      throw new ValidationError(`next must be an integer from 0 to 1000, got ${n}`);
    return (await this.backend.schedulesList()).map((r) => this.withNext(r, n));
  }

  /** Stops the schedule from firing until `resume`. */
  async pause(name: string): Promise<ScheduleRecord> {
    const rec = await this.require(name);
    if (rec.paused) return rec;
    return this.backend.scheduleUpsert({
      schedule: { ...rec, paused: true, updatedAt: new Date(this.backend.clock.now()) },
    });
  }

  /** Lets the schedule fire again, from its next fire time after now (times missed while paused are not caught up). */
  async resume(name: string): Promise<ScheduleRecord> {
    const rec = await this.require(name);
    if (!rec.paused) return rec;
    const now = this.backend.clock.now();
    const nextFireAt = nextFireTime(parseSchedule(rec.spec, rec.timezone), now);
    return this.backend.scheduleUpsert({ schedule: { ...rec, paused: false, nextFireAt, updatedAt: new Date(now) } });
  }

  /** Enqueues the schedule's job now, outside its times (paused or not); its fire times do not change. */
  async trigger(name: string): Promise<Job> {
    const rec = await this.require(name);
    const now = this.backend.clock.now();
    const job = scheduledJob(rec, new Date(now), now, newId(now));
    const [outcome] = await this.backend.jobsEnqueue({ jobs: [job] });
    await this.backend.eventsPublish({
      events: [{ type: 'schedule.fired', at: now, schedule: name, jobId: job.id, jobType: job.type, queue: job.queue }],
    });
    return outcome!.job;
  }

  /** Deletes the schedule; false when there was none. Jobs it already enqueued stay. */
  async remove(name: string): Promise<boolean> {
    return this.backend.scheduleDelete({ name: validateScheduleName(name) });
  }

  /** The next `n` fire times of a spec, without storing anything. */
  static preview(spec: string, n = 5, timezone?: string | null, from: Date | number = Date.now()): Date[] {
    if (!Number.isInteger(n) || n < 1 || n > 1000)
      throw new ValidationError(`n must be an integer from 1 to 1000, got ${n}`);
    return previewSchedule(spec, n, timezone, from);
  }

  /** The next `n` fire times of a spec from the backend's clock, without storing anything. */
  preview(spec: string, n = 5, timezone?: string | null): Date[] {
    return ScheduleClient.preview(spec, n, timezone, this.backend.clock.now());
  }

  private async require(name: string): Promise<ScheduleRecord> {
    const rec = await this.backend.scheduleGet({ name: validateScheduleName(name) });
    if (!rec) throw new NotFoundError('schedule', name);
    return rec;
  }

  private withNext(rec: ScheduleRecord, n: number): ScheduleInfo {
    if (rec.paused || !rec.nextFireAt || n === 0) return { ...rec, nextFireTimes: [] };
    let rest: Date[] = [];
    try {
      rest = nextFireTimes(parseSchedule(rec.spec, rec.timezone), rec.nextFireAt, n - 1);
    } catch {
      // A stored spec this version cannot read still lists, with its stored next time.
    }
    return { ...rec, nextFireTimes: [rec.nextFireAt, ...rest] };
  }
}
