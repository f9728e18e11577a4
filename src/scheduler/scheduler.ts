/**
 * The scheduler: turns stored schedules into jobs, exactly one job per fire time across the
 * cluster (docs/schedules.md). Any number of processes may run it: a lease in the backend
 * (`leaderElect`) makes one the leader, and each fired job has an id and unique key derived
 * from name + fire time, so even two leaders for a moment enqueue once. The stored
 * `lastFireAt` is advanced by compare-and-set, so a slower leader never moves a schedule back.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Backend, ScheduleRecord } from '../backend/backend.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../worker/types.js';
import {
  DEFAULT_SCHEDULE_MAX_CATCH_UP,
  DEFAULT_SCHEDULE_MISFIRE_GRACE_MS,
  DEFAULT_SCHEDULER_INTERVAL_MS,
  DEFAULT_SCHEDULER_LEASE_MS,
} from '../core/constants.js';
import { UniqueConflictError, ValidationError } from '../core/errors.js';
import { msOption } from '../core/validate.js';
import { planFires } from './plan.js';
import { nextFireTime, parseSchedule, type ScheduleSpec } from './spec.js';
import { scheduledJob } from './template.js';

/** Name of the leader lease in the backend. */
export const SCHEDULER_LEASE = 'scheduler';

/** Options of a `Scheduler`. */
export interface SchedulerOptions {
  backend: Backend;
  /** Time source; default the backend's clock. */
  clock?: Clock;
  /** Longest wait between checks, ms (the loop also wakes at the next fire time). */
  intervalMs?: number;
  /** Leader lease, ms: after a leader dies, another takes over within this. */
  leaderTtlMs?: number;
  /** Most fire times a schedule with misfire `all` catches up at once. */
  maxCatchUp?: number;
  /** Due times older than this are misfires (handled by the schedule's policy), ms. */
  misfireGraceMs?: number;
  /** This scheduler's identity in the leader lease; default `host:pid:random`. */
  holder?: string;
  /** Called with errors of the background loop (default: `logger.error`, else `console.error`). */
  onError?: (err: unknown) => void;
  /** Logs leadership changes and fires (debug) and errors. */
  logger?: Logger;
}

/** One job a tick enqueued (or found enqueued by another scheduler). */
export interface FiredJob {
  schedule: string;
  fireAt: Date;
  jobId: string;
  /** False when the job existed already (another scheduler fired this time first). */
  created: boolean;
}

/** What one tick did. */
export interface TickResult {
  /** Whether this scheduler held the lease. */
  leader: boolean;
  fired: FiredJob[];
  /** The earliest next fire time of an active schedule (leader only), ms. */
  nextWakeAt: number | null;
}

/** Runs schedules: call `start()` for the background loop, or `tick()` to drive it by hand. */
export class Scheduler {
  /** The identity this scheduler holds the lease under. */
  readonly holder: string;
  private readonly backend: Backend;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly ttlMs: number;
  private readonly maxCatchUp: number;
  private readonly graceMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly logger: Logger | undefined;
  private running = false;
  private cancelTimer: (() => void) | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private leader = false;

  constructor(options: SchedulerOptions) {
    this.backend = options.backend;
    this.clock = options.clock ?? options.backend.clock;
    this.intervalMs = positive(options.intervalMs, DEFAULT_SCHEDULER_INTERVAL_MS, 'intervalMs');
    this.ttlMs = positive(options.leaderTtlMs, DEFAULT_SCHEDULER_LEASE_MS, 'leaderTtlMs');
    this.maxCatchUp = positive(options.maxCatchUp, DEFAULT_SCHEDULE_MAX_CATCH_UP, 'maxCatchUp');
    this.graceMs = positive(options.misfireGraceMs, DEFAULT_SCHEDULE_MISFIRE_GRACE_MS, 'misfireGraceMs', true);
    if (this.ttlMs <= this.intervalMs) {
      throw new ValidationError(
        `leaderTtlMs (${this.ttlMs}) must be longer than intervalMs (${this.intervalMs}) so the leader renews in time`,
      );
    }
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.logger = options.logger;
    const log = options.logger;
    this.onError =
      options.onError ??
      (log ? (err) => log.error({ err }, 'scheduler error') : (err) => console.error('gantry scheduler:', err));
  }

  /** True while this scheduler holds the leader lease (as of its last tick). */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Starts the background loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm(0);
  }

  /** Stops the loop, waits for a tick in progress and gives the lease up. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.chain.catch(() => undefined);
    if (this.leader) {
      this.leader = false;
      await this.backend.leaderResign({ name: SCHEDULER_LEASE, holder: this.holder });
    }
  }

  /** One round: take or renew the lease; as leader, fire every due schedule. Ticks never overlap. */
  tick(): Promise<TickResult> {
    const run = this.chain.then(() => this.runTick());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private arm(ms: number): void {
    if (!this.running) return;
    this.cancelTimer = this.clock.setTimeout(() => void this.loop(), ms);
  }

  private async loop(): Promise<void> {
    this.cancelTimer = undefined;
    let delay = this.intervalMs;
    try {
      const r = await this.tick();
      if (r.nextWakeAt !== null) delay = Math.max(1, Math.min(delay, r.nextWakeAt - this.clock.now()));
    } catch (err) {
      this.onError(err);
    }
    this.arm(delay);
  }

  private async runTick(): Promise<TickResult> {
    const was = this.leader;
    this.leader = await this.backend.leaderElect({ name: SCHEDULER_LEASE, holder: this.holder, ttlMs: this.ttlMs });
    if (was !== this.leader)
      this.logger?.info(
        { holder: this.holder },
        this.leader ? 'scheduler: leading' : 'scheduler: another process leads',
      );
    if (!this.leader) return { leader: false, fired: [], nextWakeAt: null };
    const schedules = await this.backend.schedulesList();
    const now = this.clock.now();
    const fired: FiredJob[] = [];
    let nextWakeAt: number | null = null;
    for (const rec of schedules) {
      if (rec.paused) continue;
      try {
        const r = await this.fireDue(rec, now);
        fired.push(...r.fired);
        if (r.next !== null && (nextWakeAt === null || r.next < nextWakeAt)) nextWakeAt = r.next;
      } catch (err) {
        this.onError(err);
      }
    }
    return { leader: true, fired, nextWakeAt };
  }

  /** Fires one schedule's due times and records them; returns its next fire time. */
  private async fireDue(rec: ScheduleRecord, now: number): Promise<{ fired: FiredJob[]; next: number | null }> {
    const spec = parseSchedule(rec.spec, rec.timezone);
    if (rec.nextFireAt === null) {
      // Stored without a next time (written by hand, or by an older version): compute it.
      const next = nextFireTime(spec, now);
      if (next)
        await this.backend.scheduleFireClaim({
          name: rec.name,
          expectedLastFireAt: rec.lastFireAt,
          lastFireAt: rec.lastFireAt,
          nextFireAt: next,
        });
      return { fired: [], next: next?.getTime() ?? null };
    }
    if (rec.nextFireAt.getTime() > now) return { fired: [], next: rec.nextFireAt.getTime() };
    const plan = planFires({
      spec,
      nextFireAt: rec.nextFireAt,
      now,
      misfire: rec.misfire,
      graceMs: this.graceMs,
      maxCatchUp: this.maxCatchUp,
    });
    const fired: FiredJob[] = [];
    for (const fireAt of plan.fireTimes) {
      const job = await this.enqueue(rec, fireAt, now);
      if (job) fired.push(job);
      if (job?.created) this.logger?.debug({ schedule: rec.name, fireAt, jobId: job.jobId }, 'schedule fired');
    }
    const lastFireAt = plan.fireTimes.at(-1) ?? rec.lastFireAt;
    const marked = await this.backend.scheduleFireClaim({
      name: rec.name,
      expectedLastFireAt: rec.lastFireAt,
      lastFireAt,
      nextFireAt: plan.nextFireAt,
    });
    if (marked) await this.reconcile(rec, spec, lastFireAt, plan.nextFireAt, now);
    return { fired, next: plan.nextFireAt?.getTime() ?? null };
  }

  /** Enqueues one fire (idempotent); `null` when the template's own unique key is still held. */
  private async enqueue(rec: ScheduleRecord, fireAt: Date, now: number): Promise<FiredJob | null> {
    const job = scheduledJob(rec, fireAt, now);
    try {
      const [outcome] = await this.backend.jobsEnqueue({ jobs: [job] });
      if (outcome?.created) {
        await this.backend.eventsPublish({
          events: [
            { type: 'schedule.fired', at: now, schedule: rec.name, jobId: job.id, jobType: job.type, queue: job.queue },
          ],
        });
      }
      return { schedule: rec.name, fireAt, jobId: job.id, created: outcome?.created ?? false };
    } catch (err) {
      // The template's uniqueKey keeps runs from overlapping: a live run means this fire is skipped.
      if (err instanceof UniqueConflictError && err.existingId !== job.id) return null;
      if (err instanceof UniqueConflictError) return { schedule: rec.name, fireAt, jobId: job.id, created: false };
      throw err;
    }
  }

  /**
   * The schedule may have been changed (`set`) between our read and our mark, and the mark
   * then stored a next time of the old spec; put the new spec's next time back.
   */
  private async reconcile(
    rec: ScheduleRecord,
    spec: ScheduleSpec,
    lastFireAt: Date | null,
    next: Date | null,
    now: number,
  ): Promise<void> {
    const cur = await this.backend.scheduleGet({ name: rec.name });
    if (!cur || (cur.spec === rec.spec && cur.timezone === rec.timezone)) return;
    if (cur.lastFireAt?.getTime() !== lastFireAt?.getTime() || cur.nextFireAt?.getTime() !== next?.getTime()) return;
    let fixed: Date | null;
    try {
      fixed = nextFireTime(parseSchedule(cur.spec, cur.timezone), now);
    } catch {
      fixed = nextFireTime(spec, now);
    }
    await this.backend.scheduleFireClaim({
      name: rec.name,
      expectedLastFireAt: lastFireAt,
      lastFireAt,
      nextFireAt: fixed,
    });
  }
}

function positive(v: number | undefined, fallback: number, field: string, zeroOk = false): number {
  return msOption(v, { field, fallback, zeroOk });
}
