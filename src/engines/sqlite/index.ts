/**
 * The embedded SQLite engine (DESIGN §7): one file in WAL mode, shared safely by several
 * processes of one machine. Claims are single `BEGIN IMMEDIATE` transactions (SQLite has one
 * writer at a time, so no `SKIP LOCKED` is needed); wake-ups and events are in-process at
 * once and cross-process through a tailed event table.
 */
import type {
  Backend,
  BackendCapabilities,
  ClaimParams,
  BackendOptions,
  CompleteItem,
  EnqueueOutcome,
  FailItem,
  JobFilter,
  PruneParams,
  QueueInfo,
  QueueSettings,
  ReleaseItem,
  ScheduleRecord,
  StateCounts,
  WorkerInfo,
} from '../../backend/backend.js';
import { resolve } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.js';
import { EngineUnavailableError } from '../../core/errors.js';
import type { EventFilter, GantryEvent } from '../../core/events.js';
import type { Job, JobProgress, NewJob } from '../../core/job.js';
import type { CountFinishedParams, FindOldestDueParams, FinishedMinute } from '../../backend/jobs-stats.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { openDatabase, SQLITE_BUSY_TIMEOUT_MS, type Db } from './connection.js';
import { EventHub } from './event-hub.js';
import * as admin from './jobs-admin.js';
import * as claim from './jobs-claim.js';
import { jobsEnqueue } from './jobs-enqueue.js';
import { jobPromote } from './jobs-promote.js';
import * as query from './jobs-query.js';
import * as stats from './jobs-stats.js';
import { assertSchemaCurrent, migrate } from './migrate.js';
import * as queues from './queues.js';
import * as schedules from './schedules.js';
import { prepareStatements } from './statements.js';
import { Store } from './store.js';
import * as workers from './workers.js';

export { sqlitePath } from './connection.js';

/** The SQLite `Backend`. Construct with `openSqliteBackend`. */
export class SqliteBackend implements Backend {
  readonly name = 'sqlite';
  readonly capabilities: BackendCapabilities = {
    transactionalEnqueue: false,
    pushWakeups: true,
    eventReplay: true,
    multiProcess: true,
    localClaims: true,
  };
  readonly clock: Clock;
  private readonly s: Store;
  private closed = false;

  /** @internal Use `openSqliteBackend`, which migrates or checks the schema first. */
  constructor(
    private readonly db: Db,
    clock: Clock,
    private readonly checkpointer?: Checkpointer,
  ) {
    this.clock = clock;
    const st = prepareStatements(db);
    this.s = new Store(db, st, clock, new EventHub(st, clock));
  }

  /** Runs a read or write operation past other processes' locks (see `Store.locked`). */
  private op<T>(fn: () => T): T | Promise<T> {
    return this.s.locked(fn);
  }

  async schemaMigrate(): Promise<{ from: number; to: number }> {
    return migrate(this.db, this.clock.now());
  }
  async healthCheck(): Promise<void> {
    if (this.closed || !this.db.open) throw new EngineUnavailableError('the SQLite backend is closed; open it again');
    this.db.prepare('SELECT 1').get();
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.s.hub.close();
    await this.checkpointer?.stop();
    this.db.close();
  }

  async jobsEnqueue(params: { jobs: NewJob[]; tx?: unknown }): Promise<EnqueueOutcome[]> {
    return this.op(() => jobsEnqueue(this.s, params.jobs));
  }
  async jobGet(params: { id: string }): Promise<Job | null> {
    return this.op(() => query.jobGet(this.s, params.id));
  }
  async jobsList(params: { filter?: JobFilter; limit: number; cursor?: string | null }) {
    return this.op(() => query.jobsList(this.s, params));
  }
  async jobsCount(params: { queues?: string[] }): Promise<Record<string, StateCounts>> {
    return this.op(() => query.jobsCount(this.s, params.queues));
  }

  async jobsClaim(params: ClaimParams): Promise<Job[]> {
    return this.op(() => claim.jobsClaim(this.s, params));
  }
  async jobsLeaseRenew(params: { workerId: string; ids: string[]; leaseMs: number }): Promise<{ lost: string[] }> {
    return this.op(() => claim.jobsLeaseRenew(this.s, params));
  }
  async jobsComplete(params: { items: CompleteItem[] }): Promise<{ lost: string[] }> {
    return this.op(() => claim.jobsComplete(this.s, params.items));
  }
  async jobsFail(params: { items: FailItem[] }): Promise<{ lost: string[] }> {
    return this.op(() => claim.jobsFail(this.s, params.items));
  }
  async jobsRelease(params: { items: ReleaseItem[] }): Promise<{ lost: string[] }> {
    return this.op(() => claim.jobsRelease(this.s, params.items));
  }
  async jobProgress(params: { id: string; workerId: string; progress: JobProgress }): Promise<boolean> {
    return this.op(() => claim.jobProgress(this.s, params));
  }

  async jobCancel(params: { id: string }): Promise<Job> {
    return this.op(() => admin.jobCancel(this.s, params.id));
  }
  async jobRetry(params: { id: string }): Promise<Job> {
    return this.op(() => admin.jobRetry(this.s, params.id));
  }
  async jobDelete(params: { id: string; force?: boolean }): Promise<void> {
    return this.op(() => admin.jobDelete(this.s, params.id, params.force ?? false));
  }
  async jobPromote(params: { id: string }): Promise<Job> {
    return this.op(() => jobPromote(this.s, params.id));
  }
  async jobsPromote(params: { limit: number }): Promise<number> {
    return this.op(() => admin.jobsPromote(this.s, params.limit));
  }
  async jobsExpire(params: { limit: number }): Promise<number> {
    return this.op(() => admin.jobsExpire(this.s, params.limit));
  }
  async jobsLeaseExpired(params: { limit: number }): Promise<Job[]> {
    return this.op(() => admin.jobsLeaseExpired(this.s, params.limit));
  }
  async jobsPrune(params: PruneParams): Promise<number> {
    return this.op(() => admin.jobsPrune(this.s, params));
  }

  async jobsCountFinished(params: CountFinishedParams): Promise<FinishedMinute[]> {
    return this.op(() => stats.jobsCountFinished(this.s, params.queues, params.since));
  }
  async jobsFindOldestDue(params: FindOldestDueParams): Promise<Record<string, Date | null>> {
    return this.op(() => stats.jobsFindOldestDue(this.s, params.queues));
  }

  async queuesList(): Promise<QueueInfo[]> {
    return this.op(() => queues.queuesList(this.s));
  }
  async queueUpdate(params: { queue: string; settings: QueueSettings }): Promise<QueueInfo> {
    return this.op(() => queues.queueUpdate(this.s, params.queue, params.settings));
  }

  async workerHeartbeat(params: { worker: WorkerInfo }): Promise<void> {
    return this.op(() => workers.workerHeartbeat(this.s, params.worker));
  }
  async workerRemove(params: { id: string }): Promise<void> {
    return this.op(() => workers.workerRemove(this.s, params.id));
  }
  async workersList(): Promise<WorkerInfo[]> {
    return this.op(() => workers.workersList(this.s));
  }
  async workersPrune(params: { before: Date }): Promise<string[]> {
    return this.op(() => workers.workersPrune(this.s, params.before));
  }
  async leaderElect(params: { name: string; holder: string; ttlMs: number }): Promise<boolean> {
    return this.op(() => workers.leaderElect(this.s, params));
  }
  async leaderResign(params: { name: string; holder: string }): Promise<void> {
    return this.op(() => workers.leaderResign(this.s, params));
  }

  async eventsPublish(params: { events: GantryEvent[] }): Promise<void> {
    const events = params.events.map((e) => ({ ...e }));
    await this.op(() => this.s.write((out) => void out.push(...events)));
  }
  async eventsSubscribe(params: {
    filter?: EventFilter;
    afterSeq?: string;
    onEvent: (e: GantryEvent) => void;
  }): Promise<() => Promise<void>> {
    const off = this.s.hub.subscribe(params.filter, params.afterSeq, params.onEvent);
    return async () => off();
  }
  async eventsFlush(): Promise<void> {
    return this.op(() => this.s.hub.flush());
  }
  async workAwait(params: { queues: string[]; timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    return this.s.hub.await(params.queues, params.timeoutMs, params.signal);
  }

  async scheduleUpsert(params: { schedule: ScheduleRecord }): Promise<ScheduleRecord> {
    return this.op(() => schedules.scheduleUpsert(this.s, params.schedule));
  }
  async scheduleGet(params: { name: string }): Promise<ScheduleRecord | null> {
    return this.op(() => schedules.scheduleGet(this.s, params.name));
  }
  async schedulesList(): Promise<ScheduleRecord[]> {
    return this.op(() => schedules.schedulesList(this.s));
  }
  async scheduleDelete(params: { name: string }): Promise<boolean> {
    return this.op(() => schedules.scheduleDelete(this.s, params.name));
  }
  async scheduleMark(params: {
    name: string;
    expectedLastFireAt: Date | null;
    lastFireAt: Date | null;
    nextFireAt: Date | null;
  }): Promise<boolean> {
    return this.op(() => schedules.scheduleMark(this.s, params));
  }
}

/**
 * Opens the SQLite engine at `options.url`. Migrates the schema unless `options.migrate` is
 * false, in which case a schema that is not current is a `MigrationError`.
 */
export async function openSqliteBackend(options: BackendOptions): Promise<Backend> {
  const clock = options.clock ?? systemClock;
  const db = openDatabase(options.url);
  try {
    if (options.migrate === false) assertSchemaCurrent(db);
    else migrate(db, clock.now());
    // From here on a locked file fails at once and `Store.locked` waits without blocking the event loop.
    db.pragma('busy_timeout = 0');
    // An in-memory database has no WAL to checkpoint.
    const checkpointer = db.memory
      ? undefined
      : // Absolute: the process may change its working directory while the thread runs.
        startCheckpointer({ db, path: resolve(db.name), busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS });
    return new SqliteBackend(db, clock, checkpointer);
  } catch (err) {
    db.close();
    throw err;
  }
}
