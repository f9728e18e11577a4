/**
 * The PostgreSQL engine (DESIGN §7): a schema of its own made by versioned migrations,
 * `SKIP LOCKED` batch claims, fenced batch completion, LISTEN/NOTIFY wake-ups and events,
 * and transactional enqueue on the caller's own `pg` client.
 */
import type pg from 'pg';
import type {
  Backend,
  BackendCapabilities,
  ClaimParams,
  BackendOptions,
  CompleteItem,
  EnqueueOutcome,
  FailItem,
  ReleaseItem,
  JobFilter,
  PruneParams,
  QueueInfo,
  QueueSettings,
  ScheduleRecord,
  StateCounts,
  WorkerInfo,
} from '../../backend/backend.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { EventFilter, GantryEvent } from '../../core/events.js';
import type { Job, JobProgress, NewJob } from '../../core/job.js';
import type { CountFinishedParams, FindOldestDueParams, FinishedMinute } from '../../backend/jobs-stats.js';
import * as admin from './admin.js';
import * as claims from './claims.js';
import * as stats from './jobs-stats.js';
import { createPool, mapError, parseTarget, withTx, type PgTarget } from './connection.js';
import { emit, makeCtx, type Ctx } from './context.js';
import { enqueue } from './enqueue.js';
import { Listener } from './listener.js';
import { ensureSchema, migrate } from './migrate.js';
import * as queues from './queues.js';
import * as schedules from './schedules.js';
import * as workers from './workers.js';

/** The PostgreSQL `Backend`. Open it with `openPostgresBackend`. */
export class PostgresBackend implements Backend {
  readonly name = 'postgres';
  readonly capabilities: BackendCapabilities = {
    transactionalEnqueue: true,
    pushWakeups: true,
    eventReplay: true,
    multiProcess: true,
    localClaims: false,
  };
  readonly clock: Clock;
  /** The schema this backend uses. */
  readonly schema: string;
  /** The pool (tests and tools may run their own queries on it). */
  readonly pool: pg.Pool;
  /** The worker path's pool (the same as `pool` with `worker_commit=sync`). */
  private readonly hot: pg.Pool;
  /** The LISTEN connection. */
  readonly listener: Listener;
  private readonly ctx: Ctx;
  private closing: Promise<void> | null = null;

  /** Use `openPostgresBackend`, which also checks the schema and starts listening. */
  constructor(target: PgTarget, clock: Clock) {
    this.clock = clock;
    this.schema = target.schema;
    this.pool = createPool(target);
    this.hot = createPool(target, true);
    this.ctx = makeCtx(this.pool, target.schema, clock, this.hot);
    this.listener = new Listener(this.ctx, target.connectionString, clock);
  }

  schemaMigrate(): Promise<{ from: number; to: number }> {
    return migrate(this.pool, this.schema, this.clock);
  }

  async healthCheck(): Promise<void> {
    await this.pool.query('SELECT 1').catch(mapError);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.listener.close();
      await this.pool.end().catch(() => undefined);
      await this.hot.end().catch(() => undefined);
    })();
    return this.closing;
  }

  jobsEnqueue(p: { jobs: NewJob[]; tx?: unknown }): Promise<EnqueueOutcome[]> {
    return enqueue(this.ctx, p.jobs, p.tx);
  }

  jobGet(p: { id: string }): Promise<Job | null> {
    return admin.getJob(this.ctx, p.id);
  }

  jobsList(p: { filter?: JobFilter; limit: number; cursor?: string | null }): Promise<{
    jobs: Job[];
    nextCursor: string | null;
  }> {
    return admin.listJobs(this.ctx, p.filter ?? {}, p.limit, p.cursor ?? null);
  }

  jobsCount(p: { queues?: string[] }): Promise<Record<string, StateCounts>> {
    return admin.countJobs(this.ctx, p.queues);
  }

  jobsClaim(p: ClaimParams): Promise<Job[]> {
    return claims.claim(this.ctx, p);
  }

  jobsLeaseRenew(p: { workerId: string; ids: string[]; leaseMs: number }): Promise<{ lost: string[] }> {
    return claims.renew(this.ctx, p.workerId, p.ids, p.leaseMs);
  }

  jobsRelease(p: { items: ReleaseItem[] }): Promise<{ lost: string[] }> {
    return claims.release(this.ctx, p.items);
  }
  jobsComplete(p: { items: CompleteItem[] }): Promise<{ lost: string[] }> {
    return claims.complete(this.ctx, p.items);
  }

  jobsFail(p: { items: FailItem[] }): Promise<{ lost: string[] }> {
    return claims.fail(this.ctx, p.items);
  }

  jobProgress(p: { id: string; workerId: string; progress: JobProgress }): Promise<boolean> {
    return claims.progress(this.ctx, p.id, p.workerId, p.progress);
  }

  jobCancel(p: { id: string }): Promise<Job> {
    return admin.cancelJob(this.ctx, p.id);
  }

  jobRetry(p: { id: string }): Promise<Job> {
    return admin.retryJob(this.ctx, p.id);
  }

  jobDelete(p: { id: string; force?: boolean }): Promise<void> {
    return admin.deleteJob(this.ctx, p.id, p.force ?? false);
  }

  jobPromote(p: { id: string }): Promise<Job> {
    return stats.promoteJob(this.ctx, p.id);
  }

  jobsPromote(p: { limit: number }): Promise<number> {
    return admin.promoteJobs(this.ctx, p.limit);
  }

  jobsExpire(p: { limit: number }): Promise<number> {
    return admin.expireJobs(this.ctx, p.limit);
  }

  jobsLeaseExpired(p: { limit: number }): Promise<Job[]> {
    return admin.leaseExpiredJobs(this.ctx, p.limit);
  }

  jobsPrune(p: PruneParams): Promise<number> {
    return admin.pruneJobs(this.ctx, p);
  }

  jobsCountFinished(p: CountFinishedParams): Promise<FinishedMinute[]> {
    return stats.countFinished(this.ctx, p.queues, p.since);
  }

  jobsFindOldestDue(p: FindOldestDueParams): Promise<Record<string, Date | null>> {
    return stats.findOldestDue(this.ctx, p.queues);
  }

  queuesList(): Promise<QueueInfo[]> {
    return queues.listQueues(this.ctx);
  }

  queueUpdate(p: { queue: string; settings: QueueSettings }): Promise<QueueInfo> {
    return queues.updateQueue(this.ctx, p.queue, p.settings);
  }

  workerHeartbeat(p: { worker: WorkerInfo }): Promise<void> {
    return workers.heartbeat(this.ctx, p.worker);
  }

  workerRemove(p: { id: string }): Promise<void> {
    return workers.removeWorker(this.ctx, p.id);
  }

  workersList(): Promise<WorkerInfo[]> {
    return workers.listWorkers(this.ctx);
  }

  workersPrune(p: { before: Date }): Promise<string[]> {
    return workers.pruneWorkers(this.ctx, p.before);
  }

  leaderElect(p: { name: string; holder: string; ttlMs: number }): Promise<boolean> {
    return workers.elect(this.ctx, p.name, p.holder, p.ttlMs);
  }

  leaderResign(p: { name: string; holder: string }): Promise<void> {
    return workers.resign(this.ctx, p.name, p.holder);
  }

  async eventsPublish(p: { events: GantryEvent[] }): Promise<void> {
    if (p.events.length === 0) return;
    await withTx(this.pool, (db) => emit(this.ctx, db, p.events));
  }

  eventsSubscribe(p: {
    filter?: EventFilter;
    afterSeq?: string;
    onEvent: (e: GantryEvent) => void;
  }): Promise<() => Promise<void>> {
    return this.listener.subscribe(p.filter, p.afterSeq, p.onEvent);
  }

  eventsFlush(): Promise<void> {
    return this.listener.flush();
  }

  workAwait(p: { queues: string[]; timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    return this.listener.await(p.queues, p.timeoutMs, p.signal);
  }

  scheduleUpsert(p: { schedule: ScheduleRecord }): Promise<ScheduleRecord> {
    return schedules.upsertSchedule(this.ctx, p.schedule);
  }

  scheduleGet(p: { name: string }): Promise<ScheduleRecord | null> {
    return schedules.getSchedule(this.ctx, p.name);
  }

  schedulesList(): Promise<ScheduleRecord[]> {
    return schedules.listSchedules(this.ctx);
  }

  scheduleDelete(p: { name: string }): Promise<boolean> {
    return schedules.deleteSchedule(this.ctx, p.name);
  }

  scheduleMark(p: {
    name: string;
    expectedLastFireAt: Date | null;
    lastFireAt: Date | null;
    nextFireAt: Date | null;
  }): Promise<boolean> {
    return schedules.markSchedule(this.ctx, p);
  }
}

/**
 * Opens the PostgreSQL engine for a `postgres://` or `postgresql://` URL. The schema is
 * `options.namespace`, else the URL's `?schema=`, else `gantry`. A schema that is behind is
 * migrated (or refused when `migrate: false`); one that is ahead is refused.
 */
export async function openPostgresBackend(options: BackendOptions): Promise<Backend> {
  const target = parseTarget(options.url, options.namespace);
  const backend = new PostgresBackend(target, options.clock ?? systemClock);
  try {
    await ensureSchema(backend.pool, target.schema, backend.clock, options.migrate !== false);
    await backend.listener.start();
  } catch (err) {
    await backend.close();
    throw err;
  }
  return backend;
}
