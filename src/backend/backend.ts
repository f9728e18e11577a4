/**
 * The `Backend` contract: storage and dispatch, one interface for every engine (for engine
 * authors, published as `gantry/backend`; applications use `Client` and `Worker`). Written for
 * the semantics in docs/architecture.md, not for one engine. Every method takes one params
 * object. Business rules (which transition is allowed, which event a change emits, when workers
 * wake, how long to back off, whether to retry, unique keys, size caps, what a text filter
 * matches) are decided by the core (`src/core`) and applied by the engine, which makes each
 * change atomic and fenced.
 *
 * Time: an engine reads the time from the `Clock` it was opened with, never from its own
 * server, so tests drive it with a `ManualClock`.
 *
 * Events: an engine emits the lifecycle event of every state change it makes (with the
 * change, where it can), built with `jobEvent` from the core.
 */
import type { Clock } from '../core/clock.js';
import type { EventFilter, GantryEvent } from '../core/events.js';
import type { Job, JobError, JobProgress, JobState, NewJob } from '../core/job.js';
import type { QueueSettingsRecord, StateCounts } from '../core/queue-rules.js';
import type { CountFinishedParams, FindOldestDueParams, FinishedMinute } from './jobs-stats.js';

/** What an engine can do beyond the contract; the core adapts to these, never to engine names. */
export interface BackendCapabilities {
  /** `jobsEnqueue` accepts `tx`, the caller's own transaction handle. */
  transactionalEnqueue: boolean;
  /** `workAwait` is woken by the engine on new work (else it polls). */
  pushWakeups: boolean;
  /** `eventsSubscribe` can resume after a past `seq` (SSE `Last-Event-ID`). */
  eventReplay: boolean;
  /** Several processes (or machines) may share the backend at once. */
  multiProcess: boolean;
  /**
   * Claims run inside this process without waiting on a network (an embedded engine): a
   * prefetch buffer saves no round trip there, so the worker's default buffer is smaller.
   */
  localClaims: boolean;
  /**
   * The order of `jobsClaim` within one queue. `total`: priority desc, then `runAt` asc, then
   * id asc, exactly. `priority-fifo`: priority desc, then the order in which jobs became due
   * (enqueued, promoted or retried), as a broker delivers them.
   */
  claimOrder: 'total' | 'priority-fifo';
  /**
   * `jobsClaimAwait` claims inside the engine the moment a wake-up arrives, with no round trip
   * to the caller between the two; without it, it waits and then claims (the worker then uses
   * `workAwait` and `jobsClaim` itself).
   */
  claimOnWake: boolean;
}

/** Options every engine factory takes. */
export interface BackendOptions {
  /** Engine URL, e.g. `sqlite:./gantry.db`, `postgres://…`. */
  url: string;
  /** Time source; default the system clock. */
  clock?: Clock;
  /** Apply migrations on open (default true); when false, a schema that is behind is an error. */
  migrate?: boolean;
  /**
   * Create the store when it does not exist (default true). When false, opening a store that
   * is not there (a SQLite file) fails with `EngineUnavailableError` and creates nothing.
   */
  create?: boolean;
  /** Engine-specific: schema (PostgreSQL), key prefix (Redis), stream prefix (NATS). */
  namespace?: string;
  /** Poll interval when no wake-up arrives, ms. */
  pollMs?: number;
}

/** Outcome of enqueueing one job. */
export interface EnqueueOutcome {
  job: Job;
  /** False when a job with this id existed already (idempotent enqueue): `job` is that job. */
  created: boolean;
}

/** Filters of `jobsList` / `jobsCount`; every field narrows. */
export interface JobFilter {
  states?: JobState[];
  queues?: string[];
  types?: string[];
  /** Jobs carrying every one of these tags. */
  tags?: string[];
  ids?: string[];
  /**
   * Jobs where this is a substring of the id, of the type, or of one string or number in the
   * payload (a value or an object key, each on its own, never across two), case folded by
   * Unicode's lowercase mapping: exactly the core's `jobMatchesText`. Engines may answer a
   * text filter with short pages (see `jobsList`).
   */
  text?: string;
  /**
   * Jobs whose id ends with this text (at least `SHORT_ID_LENGTH` characters): how a short id
   * is resolved. An engine answers it without reading every job record, and without adding work
   * to claims or completions: PostgreSQL from an index on the id's last 8 characters (a delete
   * leaves index entries to vacuum, so only an enqueue writes to it); SQLite by scanning its
   * index of ids (a tail index would be updated by every delete on completion). An engine
   * without SQL reads its keys, not its records: Redis with `ZSCAN … MATCH *<tail>` of its id index,
   * NATS JetStream by listing the job KV's keys and keeping those that end so.
   */
  idSuffix?: string;
}

export type { StateCounts };

/** A queue's settings (see `QueueSettingsRecord`: pause, caps, size policy) and its counts. */
export interface QueueInfo extends QueueSettingsRecord {
  name: string;
  counts: StateCounts;
}

/** Settings of a queue that can be changed; `undefined` leaves one as it is, `null` clears a cap. */
export type QueueSettings = Partial<QueueSettingsRecord>;

/** A worker's registration (see docs/architecture.md, "Workers"). */
export interface WorkerInfo {
  /** `host:pid:random`. */
  id: string;
  host: string;
  pid: number;
  queues: { name: string; weight: number }[];
  concurrency: number;
  /** Ids of the jobs it runs now. */
  running: string[];
  startedAt: Date;
  lastSeenAt: Date;
  /** Free text, e.g. `http` for an HTTP worker. */
  kind?: string;
}

/** Parameters of `jobsClaim` (see its doc comment). */
export interface ClaimParams {
  workerId: string;
  /** In preference order. */
  queues: string[];
  types?: string[];
  limit: number;
  leaseMs: number;
  prefetch?: number;
}

/** What `jobsClaimAwait` takes: a claim, and the wait before it. */
export interface ClaimAwaitParams extends ClaimParams {
  /** The longest wait, ms on the engine's clock. */
  timeoutMs: number;
  /** Ends the wait early. */
  signal?: AbortSignal;
}

/** A fenced completion: applied only while `workerId` holds attempt `attempt` of the job. */
export interface CompleteItem {
  id: string;
  workerId: string;
  attempt: number;
  result: unknown;
  /**
   * Delete the job instead of storing it `completed` (the job's `deleteOnComplete`, as
   * claimed); its `job.completed` event then carries `result`.
   */
  delete?: boolean;
}

/** A fenced hand-back of a claim whose attempt never started (see `jobsRelease`). */
export interface ReleaseItem {
  id: string;
  workerId: string;
  attempt: number;
}

/**
 * A fenced failure. The core decides the outcome: `retryAt` set → `retrying` at that time;
 * `null` → `failed`.
 */
export interface FailItem {
  id: string;
  /** The worker that held the lease (maintenance passes the expired holder). */
  workerId: string;
  attempt: number;
  error: JobError;
  retryAt: Date | null;
}

/** What `queueDelete` found and did. */
export interface QueueDeleteOutcome {
  /** True when the queue's settings existed and were deleted. */
  deleted: boolean;
  /** Jobs in the queue, any state; when > 0 nothing was deleted. */
  jobs: number;
}

/** Retention rules applied by `jobsPrune`. */
export interface PruneParams {
  /** Final jobs whose `finishedAt` is before this are deleted, per state. */
  finishedBefore: Partial<Record<JobState, Date>>;
  /** Per queue and final state, keep at most this many (newest first). */
  maxPerQueueState?: number;
  /** Events before this are deleted (engines that store events). */
  eventsBefore?: Date;
}

/** A stored recurring schedule (docs/schedules.md). The scheduler in the core interprets `spec`. */
export interface ScheduleRecord {
  name: string;
  /** Cron expression or natural phrase. */
  spec: string;
  timezone: string | null;
  /** The job each fire enqueues. */
  template: { type: string; queue?: string; payload?: unknown; options?: Record<string, unknown> };
  paused: boolean;
  /** After downtime: `skip` missed times, fire `once`, or `all` up to a limit. */
  misfire: 'skip' | 'once' | 'all';
  lastFireAt: Date | null;
  nextFireAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Storage and dispatch. Implemented once per engine; proven by `test/conformance/`.
 * Methods throw `GantryError`s: `NotFoundError`, `InvalidTransitionError`,
 * `UniqueConflictError`, `QueueFullError`, `EngineUnavailableError`.
 */
export interface Backend {
  /** Engine name: `sqlite`, `postgres`, `nats`, `redis`. */
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  /** The clock every time comparison uses. */
  readonly clock: Clock;

  /** Creates or upgrades the schema (idempotent); throws `MigrationError` when the store is ahead. */
  schemaMigrate(): Promise<{ from: number; to: number }>;
  /** Throws `EngineUnavailableError` unless the engine answers. */
  healthCheck(): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;

  /**
   * Stores new jobs atomically (all or none). An existing id returns that job with
   * `created: false`. Unique key held → `UniqueConflictError`; queue at its size cap with
   * `reject` → `QueueFullError` (with `drop-oldest` the oldest waiting jobs are cancelled).
   * Emits `job.enqueued` per created job.
   */
  jobsEnqueue(params: { jobs: NewJob[]; tx?: unknown }): Promise<EnqueueOutcome[]>;
  /** One job, or `null`. */
  jobGet(params: { id: string }): Promise<Job | null>;
  /**
   * Newest first (by id); `cursor` is the opaque `nextCursor` of the page before. A page holds
   * at most `limit` jobs and may hold fewer (even none) while `nextCursor` is not null: an
   * engine that filters by scanning stops after a budget of jobs looked at. `nextCursor` is
   * null only when no job is left to look at; callers that want every match follow it.
   */
  jobsList(params: { filter?: JobFilter; limit: number; cursor?: string | null }): Promise<{
    jobs: Job[];
    nextCursor: string | null;
  }>;
  /** Counts by state for every known queue (or those named). */
  jobsCount(params: { queues?: string[] }): Promise<Record<string, StateCounts>>;

  /**
   * Atomically claims up to `limit` due jobs (state queued, or scheduled/retrying with
   * `runAt <= now`), sets them `running` with `attempts + 1`, `workerId`, `leaseUntil = now +
   * leaseMs`, `startedAt`. Queues are filled in the order given; paused queues are skipped; a
   * queue's cluster-wide concurrency cap is never exceeded. Within a queue: priority desc, runAt
   * asc, id asc. `types`, when given, restricts the job types. Emits `job.started` per job.
   *
   * `prefetch` (default 0) allows up to that many jobs beyond `limit`, taken only from queues
   * without a concurrency cap: a worker buffers them and starts them as its slots free, and a
   * capped queue's jobs must not wait in a buffer while counting against its cap. An engine
   * may ignore it (claiming at most `limit`). `limit` may be 0 when `prefetch` is not.
   */
  jobsClaim(params: ClaimParams): Promise<Job[]>;
  /**
   * Fenced hand-back of claimed jobs whose attempt never started (a worker's prefetch buffer
   * on stop): `running` → `queued` as if never claimed (`attempts - 1`, no worker, lease or
   * start time, no error entry), so the attempt budget is untouched. Returns the ids not
   * applied (lease lost). Emits `job.enqueued` per job, which wakes waiting workers.
   */
  jobsRelease(params: { items: ReleaseItem[] }): Promise<{ lost: string[] }>;
  /** Extends the leases the worker still holds; returns the ids it no longer holds. */
  jobsLeaseRenew(params: { workerId: string; ids: string[]; leaseMs: number }): Promise<{ lost: string[] }>;
  /**
   * Fenced batch completion; returns the ids that were not applied (lease lost). Emits
   * `job.completed`. Items with `delete` are removed instead, their event carrying the result.
   */
  jobsComplete(params: { items: CompleteItem[] }): Promise<{ lost: string[] }>;
  /** Fenced batch failure; returns the ids not applied. Emits `job.retrying` or `job.failed`. */
  jobsFail(params: { items: FailItem[] }): Promise<{ lost: string[] }>;
  /** Records progress while the worker holds the lease; false when it does not. Emits `job.progress`. */
  jobProgress(params: { id: string; workerId: string; progress: JobProgress }): Promise<boolean>;

  /** Live state → `cancelled` (a running job's lease ends). Emits `job.cancelled`. */
  jobCancel(params: { id: string }): Promise<Job>;
  /** Final state → `queued`, attempts reset to 0, errors kept. Emits `job.enqueued`. */
  jobRetry(params: { id: string }): Promise<Job>;
  /** Deletes a job in a final state; with `force`, in any state. Emits `job.deleted`. */
  jobDelete(params: { id: string; force?: boolean }): Promise<void>;

  /**
   * Runs a delayed or retrying job now: `scheduled` or `retrying` → `queued` with `runAt` = now
   * (attempts and errors kept). Emits `job.enqueued`, which wakes workers of its queue. Any
   * other state → `InvalidTransitionError`; no such job → `NotFoundError`.
   */
  jobPromote(params: { id: string }): Promise<Job>;
  /**
   * Due `scheduled`/`retrying` jobs → `queued`; returns how many. Emits `job.enqueued` per job
   * and wakes the workers of their queues.
   */
  jobsPromote(params: { limit: number }): Promise<number>;
  /** Waiting jobs past their deadline → `expired`; returns how many. Emits `job.expired`. */
  jobsExpire(params: { limit: number }): Promise<number>;
  /**
   * Lists (changes nothing) running jobs whose lease ended before now; maintenance then fails
   * them through `jobsFail`, fenced on their expired holder.
   */
  jobsLeaseExpiredList(params: { limit: number }): Promise<Job[]>;
  /** Retention; returns how many jobs were deleted. */
  jobsPrune(params: PruneParams): Promise<number>;

  /**
   * How many kept jobs of `queues` reached `completed` or `failed` in each minute since `since`
   * (by `finishedAt`), one row per queue and minute that has any. Jobs deleted on completion or
   * by retention are not counted. Read from what the engine stores (SQL: the finished-jobs index
   * on queue, state and finish time), never kept by the claim or completion path.
   *
   * An engine without SQL answers it the same way from its own stores: Redis from the sorted
   * set of finished jobs per queue and state scored by finish time (the one retention trims):
   * `ZRANGE … BYSCORE since +inf WITHSCORES`, bucketed by minute in the script; NATS JetStream
   * from the event stream: an ordered consumer starting at `since` (`opt_start_time`) on the
   * `job.completed` and `job.failed` subjects of those queues, counting each message by the
   * minute of its time (there, jobs deleted on completion are counted too).
   */
  jobsCountFinished(params: CountFinishedParams): Promise<FinishedMinute[]>;
  /**
   * Per queue of `queues`, the `runAt` of the oldest due job waiting there (`queued`, or
   * `scheduled`/`retrying` with `runAt <= now`), or `null` when none is due: now minus it is the
   * queue's latency. SQL engines walk the claim index once per priority present, not every
   * waiting job.
   *
   * Redis: the lowest score of each priority band of the ready sorted set (scored by priority,
   * then runAt) via `ZRANGE … BYSCORE band-start band-end LIMIT 0 1`, and the first member of
   * the delayed set when its score is past now; NATS JetStream: the first pending message of each
   * of the queue's priority subjects (`$JS.API.DIRECT.GET` with `next_by_subj`), whose time is
   * when the job became due, and the earliest due delayed record the engine tracks.
   */
  jobsFindOldestDue(params: FindOldestDueParams): Promise<Record<string, Date | null>>;

  /**
   * Every queue that has jobs or settings. With `counts: false` (a worker reading weights) an
   * engine need not count jobs, and the counts may read zero: on an engine without an index of
   * states, counting reads every record.
   */
  queuesList(params?: { counts?: boolean }): Promise<QueueInfo[]>;
  /**
   * Changes a queue's settings (creating the queue). Emits the events and wakes the workers the
   * core's `queueChange` says (a resume or a raised cap lets waiting jobs run).
   */
  queueUpdate(params: { queue: string; settings: QueueSettings }): Promise<QueueInfo>;
  /**
   * Deletes a queue's settings, atomically, if and only if no job (in any state) is in the
   * queue. `deleted`: settings were there and are gone; `jobs`: how many jobs the queue holds
   * (then nothing was deleted). Neither: there was no such queue.
   */
  queueDelete(params: { queue: string }): Promise<QueueDeleteOutcome>;

  /** Registers or refreshes a worker (heartbeat). Emits `worker.joined` the first time. */
  workerHeartbeat(params: { worker: WorkerInfo }): Promise<void>;
  /** Removes a worker. Emits `worker.left`. */
  workerRemove(params: { id: string }): Promise<void>;
  /** Every registered worker. */
  workersList(): Promise<WorkerInfo[]>;
  /** Removes workers last seen before `before`; returns their ids. Emits `worker.left`. */
  workersPrune(params: { before: Date }): Promise<string[]>;

  /**
   * Takes or renews the lease `name` for `holder` until now + `ttlMs`. True when `holder`
   * holds it after the call.
   */
  leaderElect(params: { name: string; holder: string; ttlMs: number }): Promise<boolean>;
  /** Gives the lease up if `holder` holds it. */
  leaderResign(params: { name: string; holder: string }): Promise<void>;

  /** Publishes events not tied to an engine change (e.g. `schedule.fired`). */
  eventsPublish(params: { events: GantryEvent[] }): Promise<void>;
  /**
   * Delivers events cluster-wide to `onEvent` until the returned function is called.
   * `afterSeq` replays later events where `capabilities.eventReplay`.
   */
  eventsSubscribe(params: {
    filter?: EventFilter;
    afterSeq?: string;
    onEvent: (e: GantryEvent) => void;
  }): Promise<() => Promise<void>>;

  /**
   * Resolves once every event of a change that completed before the call began has been handed
   * to this process's subscribers (those whose filter takes it). `waitFor` uses it to tell a job
   * deleted on completion (its `job.completed` event arrives) from one that never existed.
   */
  eventsFlush(): Promise<void>;

  /**
   * Resolves when work may be ready in one of `queues` (a wake-up), after `timeoutMs` at the
   * latest, or at once when `signal` aborts.
   */
  workAwait(params: { queues: string[]; timeoutMs: number; signal?: AbortSignal }): Promise<void>;

  /**
   * Claims as `jobsClaim` would and, while that finds nothing, waits for a wake-up in one of
   * `queues` (as `workAwait`) and claims again. Resolves with the jobs claimed, or `[]` once
   * `timeoutMs` passed or `signal` aborted with none claimed; jobs claimed as the wait ended
   * are still answered, never dropped. Where `capabilities.claimOnWake` the engine runs each
   * claim itself the moment the wake-up arrives, and skips the first when no wake-up came
   * since its previous claim on these queues.
   */
  jobsClaimAwait(params: ClaimAwaitParams): Promise<Job[]>;

  /** Creates or replaces a schedule. */
  scheduleUpsert(params: { schedule: ScheduleRecord }): Promise<ScheduleRecord>;
  /** One schedule, or `null`. */
  scheduleGet(params: { name: string }): Promise<ScheduleRecord | null>;
  /** Every schedule, by name. */
  schedulesList(): Promise<ScheduleRecord[]>;
  /** Removes a schedule; false when there was none. */
  scheduleDelete(params: { name: string }): Promise<boolean>;
  /**
   * Claims a fire time with a compare-and-set: sets `lastFireAt`/`nextFireAt` only if the
   * stored `lastFireAt` still equals `expectedLastFireAt`; false when another scheduler was
   * first (or the schedule is gone).
   */
  scheduleFireClaim(params: {
    name: string;
    expectedLastFireAt: Date | null;
    lastFireAt: Date | null;
    nextFireAt: Date | null;
  }): Promise<boolean>;
}

/** A function that opens an engine. */
export type BackendFactory = (options: BackendOptions) => Promise<Backend>;
