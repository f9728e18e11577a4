/**
 * Maintenance (docs/architecture.md, "Delivery" and "Workers"): promotes due jobs, expires deadlines, recovers jobs whose
 * lease expired (their worker died), forgets workers whose heartbeats stopped, and applies
 * retention. Any number of processes may run it; a leader lease in the backend keeps one
 * active at a time, and every change it makes is fenced, so a second one would be harmless.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Backend, FailItem, PruneParams } from '../backend/backend.js';
import type { Clock } from '../core/clock.js';
import {
  DEFAULT_EVENT_RETENTION_MS,
  DEFAULT_MAINTENANCE_BATCH,
  DEFAULT_MAINTENANCE_LEASE_MS,
  DEFAULT_MAINTENANCE_MS,
  DEFAULT_PRUNE_INTERVAL_MS,
  DEFAULT_RETAIN_COMPLETED_MS,
  DEFAULT_RETAIN_FAILED_MS,
  DEFAULT_RETAIN_MAX_COUNT,
  DEFAULT_WORKER_TTL_MS,
} from '../core/constants.js';
import { ValidationError } from '../core/errors.js';
import { leaseExpiredItem, refusedItem } from '../core/outcome-items.js';
import { engineUnreachable, writeEach, type EachWritten, type Refusal } from '../core/outcome-writes.js';
import { msOption } from '../core/validate.js';
import { every } from '../worker/every.js';
import { silentLogger } from '../worker/logger.js';
import type { Logger } from '../worker/types.js';

/** How long finished jobs (and events) are kept; ages in ms. */
export interface RetentionOptions {
  completedMs?: number;
  failedMs?: number;
  cancelledMs?: number;
  expiredMs?: number;
  /** Most finished jobs kept per queue and final state. */
  maxPerQueueState?: number;
  /** Age after which stored events are deleted. */
  eventsMs?: number;
}

/** Options of `Maintenance`; every number has a default in core/constants.ts. */
export interface MaintenanceOptions {
  backend: Backend;
  /** Default the backend's clock. */
  clock?: Clock;
  /** Time between ticks, ms. */
  intervalMs?: number;
  /** Leader lease, ms; another process takes over this long after the leader dies. */
  leaseMs?: number;
  /** Workers not seen for this long are forgotten, ms. */
  workerTtlMs?: number;
  retention?: RetentionOptions;
  /** Time between retention passes, ms (retention is heavier than the rest). */
  pruneIntervalMs?: number;
  /** Jobs moved per backend call. */
  batchSize?: number;
  /** Leader-lease holder id; default `maintenance:host:pid:random`. */
  id?: string;
  logger?: Logger;
  /** Random source of backoff jitter (tests pin it). */
  random?: () => number;
}

/** What one tick did. */
export interface MaintenanceReport {
  /** False when another process holds the maintenance lease (nothing else was done). */
  leader: boolean;
  /** Due scheduled/retrying jobs moved to `queued`. */
  promoted: number;
  /** Waiting jobs past their deadline moved to `expired`. */
  expired: number;
  /** Jobs whose lease expired that will run again (`retrying`). */
  recovered: number;
  /** Jobs whose lease expired with no attempt left (`failed`). */
  failed: number;
  /** Ids of the workers forgotten. */
  workersPruned: string[];
  /** Jobs deleted by retention; `null` when retention did not run this tick. */
  pruned: number | null;
}

const MAX_ROUNDS = 20;

const ms = (value: number | undefined, fallback: number, field: string): number => msOption(value, { field, fallback });

/** The maintenance loop of one process. */
export class Maintenance {
  /** The leader-lease holder id of this process. */
  readonly id: string;
  private readonly backend: Backend;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly leaseMs: number;
  private readonly workerTtlMs: number;
  private readonly pruneIntervalMs: number;
  private readonly batch: number;
  private readonly retention: Required<RetentionOptions>;
  private readonly logger: Logger;
  private readonly random: () => number;
  private cancelTimer: (() => void) | undefined;
  private lastPruneAt = -Infinity;
  private current: Promise<unknown> = Promise.resolve();

  constructor(options: MaintenanceOptions) {
    if (!options?.backend) throw new ValidationError('Maintenance needs a backend');
    this.backend = options.backend;
    this.clock = options.clock ?? options.backend.clock;
    this.intervalMs = ms(options.intervalMs, DEFAULT_MAINTENANCE_MS, 'intervalMs');
    this.leaseMs = ms(options.leaseMs, DEFAULT_MAINTENANCE_LEASE_MS, 'leaseMs');
    this.workerTtlMs = ms(options.workerTtlMs, DEFAULT_WORKER_TTL_MS, 'workerTtlMs');
    this.pruneIntervalMs = ms(options.pruneIntervalMs, DEFAULT_PRUNE_INTERVAL_MS, 'pruneIntervalMs');
    this.batch = Math.floor(ms(options.batchSize, DEFAULT_MAINTENANCE_BATCH, 'batchSize'));
    const r = options.retention ?? {};
    this.retention = {
      completedMs: ms(r.completedMs, DEFAULT_RETAIN_COMPLETED_MS, 'retention.completedMs'),
      failedMs: ms(r.failedMs, DEFAULT_RETAIN_FAILED_MS, 'retention.failedMs'),
      cancelledMs: ms(r.cancelledMs, DEFAULT_RETAIN_FAILED_MS, 'retention.cancelledMs'),
      expiredMs: ms(r.expiredMs, DEFAULT_RETAIN_FAILED_MS, 'retention.expiredMs'),
      maxPerQueueState: Math.floor(ms(r.maxPerQueueState, DEFAULT_RETAIN_MAX_COUNT, 'retention.maxPerQueueState')),
      eventsMs: ms(r.eventsMs, DEFAULT_EVENT_RETENTION_MS, 'retention.eventsMs'),
    };
    this.id = options.id ?? `maintenance:${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
  }

  /** Runs a tick now and then every `intervalMs` on the clock until `stop()`. */
  start(): void {
    if (this.cancelTimer) return;
    let busy = false;
    const tick = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      const run = this.runOnce({ prune: this.clock.now() - this.lastPruneAt >= this.pruneIntervalMs });
      this.current = run.catch(() => undefined);
      const report = await run.finally(() => {
        busy = false;
      });
      if (report.leader) this.logger.debug(report, 'maintenance tick');
    };
    const onError = (err: unknown): void => this.logger.warn({ err }, 'maintenance tick failed; retrying next tick');
    this.cancelTimer = every(this.clock, this.intervalMs, tick, onError);
    tick().catch(onError);
  }

  /** Stops the loop, waits for a tick in progress, and gives the leader lease up. */
  async stop(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.current;
    await this.backend.leaderResign({ name: 'maintenance', holder: this.id });
  }

  /**
   * One tick: if this process is (or becomes) the leader, every chore once. Retention runs
   * when `prune` is true (the default).
   */
  async runOnce(options: { prune?: boolean } = {}): Promise<MaintenanceReport> {
    const report: MaintenanceReport = {
      leader: false,
      promoted: 0,
      expired: 0,
      recovered: 0,
      failed: 0,
      workersPruned: [],
      pruned: null,
    };
    report.leader = await this.backend.leaderElect({ name: 'maintenance', holder: this.id, ttlMs: this.leaseMs });
    if (!report.leader) return report;
    report.promoted = await this.drain((limit) => this.backend.jobsPromote({ limit }));
    report.expired = await this.drain((limit) => this.backend.jobsExpire({ limit }));
    Object.assign(report, await this.recoverLeases());
    report.workersPruned = await this.backend.workersPrune({ before: new Date(this.clock.now() - this.workerTtlMs) });
    if (options.prune ?? true) {
      report.pruned = await this.backend.jobsPrune(this.pruneParams());
      this.lastPruneAt = this.clock.now();
    }
    return report;
  }

  /** Repeats a batch chore until a batch comes back short (bounded, so a tick ends). */
  private async drain(step: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_ROUNDS; i++) {
      const n = await step(this.batch);
      total += n;
      if (n < this.batch) break;
    }
    return total;
  }

  /**
   * Fails each job whose lease expired, fenced on its expired holder; the retry rule decides.
   * A job whose write the engine refuses (for a reason other than being unreachable) is
   * isolated: the others are written without it, and it is failed with the reason, logged, so
   * that one job never stops lease recovery for the rest.
   */
  private async recoverLeases(): Promise<{ recovered: number; failed: number }> {
    let recovered = 0;
    let failed = 0;
    for (let i = 0; i < MAX_ROUNDS; i++) {
      const jobs = await this.backend.jobsLeaseExpiredList({ limit: this.batch });
      if (jobs.length === 0) break;
      const now = this.clock.now();
      const items = jobs.map((job) => leaseExpiredItem(job, now, this.random));
      const written = await this.writeFailures(items);
      const lostIds = new Set(written.lost);
      const refusedIds = new Set(written.refused.map((r) => r.item.id));
      for (const item of items) {
        if (lostIds.has(item.id) || refusedIds.has(item.id)) continue;
        if (item.retryAt) recovered++;
        else failed++;
      }
      const isolated = await this.failRefused(written.refused, now);
      failed += isolated;
      const applied = items.length - lostIds.size - refusedIds.size + isolated;
      if (jobs.length < this.batch || applied === 0) break;
    }
    return { recovered, failed };
  }

  /** `jobsFail` through `writeEach`; an unreachable engine ends the tick (the next one tries again). */
  private async writeFailures(items: FailItem[]): Promise<EachWritten<FailItem>> {
    const written = await writeEach(items, (batch) => this.backend.jobsFail({ items: batch }));
    const unreachable = written.refused.find((r) => engineUnreachable(r.error));
    if (unreachable) throw unreachable.error;
    return written;
  }

  /** Fails each refused job without retry, with the engine's reason; returns how many were written. */
  private async failRefused(refused: Refusal<FailItem>[], now: number): Promise<number> {
    if (refused.length === 0) return 0;
    for (const r of refused) {
      this.logger.error(
        { err: r.error, jobId: r.item.id },
        'maintenance: the engine refused to record an expired lease; failing the job without retry',
      );
    }
    const items = refused.map((r) => refusedItem(r.item, r.error, { now, what: 'failure' }));
    const written = await this.writeFailures(items);
    for (const r of written.refused) {
      this.logger.error(
        { err: r.error, jobId: r.item.id },
        'maintenance: the engine refused to fail the job too; it stays running and is tried again next tick',
      );
    }
    return items.length - written.lost.length - written.refused.length;
  }

  private pruneParams(): PruneParams {
    const now = this.clock.now();
    const r = this.retention;
    return {
      finishedBefore: {
        completed: new Date(now - r.completedMs),
        failed: new Date(now - r.failedMs),
        cancelled: new Date(now - r.cancelledMs),
        expired: new Date(now - r.expiredMs),
      },
      maxPerQueueState: r.maxPerQueueState,
      eventsBefore: new Date(now - r.eventsMs),
    };
  }
}
