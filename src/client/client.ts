/**
 * `Client`: the producer and operator API (docs/architecture.md). Written once against `Backend`; it
 * validates every input in the core before the engine sees it.
 */
import { openBackend } from '../backend/open.js';
import type { Backend, JobFilter, QueueInfo, QueueSettings, StateCounts, WorkerInfo } from '../backend/backend.js';
import { AsyncQueue } from '../core/async-queue.js';
import { systemClock, type Clock } from '../core/clock.js';
import { LIST_FILL_ROUNDS, MAX_SHORT_ID_MATCHES } from '../core/constants.js';
import {
  AmbiguousIdError,
  JobCancelledError,
  JobFailedError,
  NotFoundError,
  QueueNotEmptyError,
  ValidationError,
} from '../core/errors.js';
import type { EventFilter, GantryEvent } from '../core/events.js';
import { newId } from '../core/ids.js';
import { shortIdTail } from '../core/short-id.js';
import { isFinal, type Job, type JobState } from '../core/job.js';
import {
  validateCursor,
  validateEnqueue,
  validateJobId,
  validateListLimit,
  validateQueue,
  validateQueueSettings,
  validateStates,
  validateTag,
  validateTextFilter,
  validateType,
  type EnqueueOptions,
  type EnqueueRequest,
} from '../core/validate.js';
import { ScheduleClient } from './schedules.js';

/** Options of `Client.connect`. */
export interface ClientOptions {
  /** Engine URL; default `GANTRY_URL` or `sqlite:./gantry.db`. */
  url?: string;
  /** Use this backend instead of opening one (it is not closed by `close()` unless `ownsBackend`). */
  backend?: Backend;
  clock?: Clock;
  /** Engine namespace (PostgreSQL schema, Redis prefix, NATS stream prefix). */
  namespace?: string;
  /** Create the store when it does not exist (default true); false: a missing SQLite file is an error. */
  create?: boolean;
  /** Payload limit in bytes (default 1 MiB). */
  maxPayloadBytes?: number;
}

/** Filters of `list`, in the singular/plural forms people type. */
export interface ListOptions {
  state?: JobState | JobState[];
  queue?: string | string[];
  type?: string | string[];
  tag?: string | string[];
  /** Full ids, or short ones (the tail of an id, see `resolveId`): each stands for every job it ends. */
  id?: string | string[];
  text?: string;
  limit?: number;
  cursor?: string | null;
}

const arr = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/**
 * Turns list options into a backend filter, validating every value as enqueue does, so a typo
 * or a hostile string is refused with a message that says why, on every engine alike.
 */
export function toJobFilter(o: ListOptions): JobFilter {
  const states = arr(o.state);
  const f: JobFilter = {};
  if (states) f.states = validateStates(states);
  const queues = arr(o.queue);
  if (queues) f.queues = queues.map(validateQueue);
  const types = arr(o.type);
  if (types) f.types = types.map(validateType);
  const tags = arr(o.tag);
  if (tags) f.tags = tags.map((t) => validateTag(t));
  const ids = arr(o.id);
  // A short id (`…1a2b3c4d`) is expanded to the ids it stands for by `list`.
  if (ids) f.ids = ids.map((id) => (shortIdTail(id) === null ? validateJobId(id) : id));
  if (o.text) f.text = validateTextFilter(o.text);
  return f;
}

/** True when `id` could be a job's id (a short id of digits and letters may be one too). */
function isJobId(id: string): boolean {
  try {
    validateJobId(id);
    return true;
  } catch {
    return false;
  }
}

/** The producer and operator API. */
export class Client {
  /** The engine this client talks to. */
  readonly backend: Backend;
  private readonly clock: Clock;
  private readonly maxPayloadBytes: number | undefined;
  private readonly ownsBackend: boolean;

  constructor(backend: Backend, options: { maxPayloadBytes?: number; ownsBackend?: boolean } = {}) {
    this.backend = backend;
    this.clock = backend.clock ?? systemClock;
    this.maxPayloadBytes = options.maxPayloadBytes;
    this.ownsBackend = options.ownsBackend ?? false;
  }

  /** Opens the engine named by `url` (migrating it) and returns a client that owns it. */
  static async connect(options: ClientOptions = {}): Promise<Client> {
    const backend =
      options.backend ??
      (await openBackend({
        ...(options.url === undefined ? {} : { url: options.url }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
        ...(options.create === undefined ? {} : { create: options.create }),
      }));
    return new Client(backend, {
      ownsBackend: !options.backend,
      ...(options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes }),
    });
  }

  /** Recurring schedules (docs/schedules.md): set, get, list, pause, resume, trigger, remove. */
  get schedules(): ScheduleClient {
    return new ScheduleClient(this.backend, this.limits());
  }

  private limits(): { maxPayloadBytes?: number } {
    return this.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: this.maxPayloadBytes };
  }

  /**
   * Enqueues one job. Returns the stored job (the existing one when `options.id` was used
   * before). Throws `ValidationError`, `PayloadTooLargeError`, `UniqueConflictError`,
   * `QueueFullError`. `tx` is the caller's transaction handle on engines that support it.
   */
  async enqueue<P = unknown>(
    type: string,
    payload?: P,
    options: EnqueueOptions & { tx?: unknown } = {},
  ): Promise<Job<P>> {
    const { tx, ...opts } = options;
    const [job] = await this.enqueueMany([{ ...opts, type, payload }], tx === undefined ? {} : { tx });
    return job as Job<P>;
  }

  /** Enqueues many jobs in one round trip, all or none. */
  async enqueueMany(requests: EnqueueRequest[], options: { tx?: unknown } = {}): Promise<Job[]> {
    if (!Array.isArray(requests)) throw new ValidationError('enqueueMany takes a list of jobs');
    if (requests.length === 0) return [];
    const now = this.clock.now();
    const jobs = requests.map((r, i) => {
      try {
        return validateEnqueue(r, now, this.limits());
      } catch (err) {
        if (requests.length > 1 && err instanceof ValidationError) {
          throw new ValidationError(`job ${i}: ${err.message}`, { cause: err });
        }
        throw err;
      }
    });
    const outcomes = await this.backend.jobsEnqueue(options.tx === undefined ? { jobs } : { jobs, tx: options.tx });
    return outcomes.map((o) => o.job);
  }

  /**
   * The full id of the one job `id` names. `id` is a full id (checked and returned as it is;
   * whether the job exists is for the caller to find out) or a short one: the tail of an id as
   * the dashboard and `gantry dev` print it (`…1a2b3c4d`, or the last 8 or more characters).
   * Throws `NotFoundError` when no job's id ends that way, `AmbiguousIdError` when several do.
   */
  async resolveId(id: string): Promise<string> {
    const tail = shortIdTail(id);
    if (tail === null) return validateJobId(id);
    // An id of the caller's own may look like a tail: it names that job first.
    if (isJobId(id) && (await this.backend.jobGet({ id }))) return id;
    const { jobs } = await this.backend.jobsList({ filter: { idSuffix: tail }, limit: MAX_SHORT_ID_MATCHES });
    if (jobs.length === 1) return jobs[0]!.id;
    if (jobs.length === 0) throw new NotFoundError('job', id);
    throw new AmbiguousIdError(
      id,
      jobs.map((j) => j.id),
    );
  }

  /** A job by id (full or short, see `resolveId`), or `null`. A short id several jobs end with throws. */
  async get(id: string): Promise<Job | null> {
    if (shortIdTail(id) === null) return this.backend.jobGet({ id: validateJobId(id) });
    try {
      return await this.backend.jobGet({ id: await this.resolveId(id) });
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /**
   * Jobs matching the filters, newest first, one page at a time. An engine may answer a filtered
   * list (a text search) with short pages; this asks it again, up to `LIST_FILL_ROUNDS` times,
   * to fill the page, so a page comes back short only when the search has looked through many
   * jobs: follow `nextCursor` until it is null to see every match.
   */
  async list(options: ListOptions = {}): Promise<{ jobs: Job[]; nextCursor: string | null }> {
    const limit = validateListLimit(options.limit);
    const filter = toJobFilter(options);
    if (filter.ids) filter.ids = await this.expandIds(filter.ids);
    const jobs: Job[] = [];
    let cursor = options.cursor ? validateCursor(options.cursor) : null;
    for (let round = 0; round < LIST_FILL_ROUNDS; round++) {
      const page = await this.backend.jobsList({ filter, limit: limit - jobs.length, cursor });
      jobs.push(...page.jobs);
      cursor = page.nextCursor;
      if (cursor === null || jobs.length >= limit) break;
    }
    return { jobs, nextCursor: cursor };
  }

  /** Each short id of `ids` as itself and the ids of the jobs that end with it. */
  private async expandIds(ids: string[]): Promise<string[]> {
    const out = new Set<string>();
    for (const id of ids) {
      out.add(id);
      const tail = shortIdTail(id);
      if (tail === null) continue;
      const { jobs } = await this.backend.jobsList({ filter: { idSuffix: tail }, limit: MAX_SHORT_ID_MATCHES });
      for (const j of jobs) out.add(j.id);
    }
    return [...out];
  }

  /** Counts by state per queue. */
  async counts(queues?: string[]): Promise<Record<string, StateCounts>> {
    return this.backend.jobsCount(queues ? { queues: queues.map(validateQueue) } : {});
  }

  /** Every queue with its settings and counts. */
  queues(): Promise<QueueInfo[]> {
    return this.backend.queuesList();
  }

  /** Cancels a live job; a running handler sees its `AbortSignal` fire. Takes short ids. */
  async cancel(id: string): Promise<Job> {
    return this.backend.jobCancel({ id: await this.resolveId(id) });
  }

  /** Runs a finished job again, with a fresh attempt budget. Takes short ids. */
  async retry(id: string): Promise<Job> {
    return this.backend.jobRetry({ id: await this.resolveId(id) });
  }

  /**
   * Runs a delayed (`scheduled`) or `retrying` job now: it is queued with `runAt` = now, its
   * attempts and errors kept. Other states throw `InvalidTransitionError`. Takes short ids.
   */
  async promote(id: string): Promise<Job> {
    return this.backend.jobPromote({ id: await this.resolveId(id) });
  }

  /** Deletes a job in a final state (any state with `force`). Takes short ids. */
  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    return this.backend.jobDelete({ id: await this.resolveId(id), force: options.force ?? false });
  }

  /** Stops workers from claiming this queue's jobs, cluster-wide. */
  async pause(queue: string): Promise<QueueInfo> {
    return this.backend.queueUpdate({ queue: validateQueue(queue), settings: { paused: true } });
  }

  /** Lets workers claim this queue's jobs again. */
  async resume(queue: string): Promise<QueueInfo> {
    return this.backend.queueUpdate({ queue: validateQueue(queue), settings: { paused: false } });
  }

  /**
   * Removes a queue's settings (pause, caps). Only a queue without jobs can be removed:
   * `QueueNotEmptyError` otherwise, `NotFoundError` when there is no such queue.
   */
  async removeQueue(queue: string): Promise<void> {
    const name = validateQueue(queue);
    const { deleted, jobs } = await this.backend.queueDelete({ queue: name });
    if (jobs > 0) throw new QueueNotEmptyError(name, jobs);
    if (!deleted) throw new NotFoundError('queue', name);
  }

  /** Changes a queue's concurrency cap, size cap and policy. */
  async setQueue(queue: string, settings: QueueSettings): Promise<QueueInfo> {
    return this.backend.queueUpdate({ queue: validateQueue(queue), settings: validateQueueSettings(settings) });
  }

  /** Registered workers. */
  workers(): Promise<WorkerInfo[]> {
    return this.backend.workersList();
  }

  /**
   * Events, cluster-wide, as an async iterator; `break` out of the loop (or pass a `signal`)
   * to unsubscribe.
   */
  events(
    options: { filter?: EventFilter; afterSeq?: string; signal?: AbortSignal } = {},
  ): AsyncIterableIterator<GantryEvent> {
    const queue = new AsyncQueue<GantryEvent>(async () => {
      options.signal?.removeEventListener('abort', onAbort);
      await (
        await subscribed
      )?.();
    });
    const onAbort = (): void => void queue.close();
    const subscribed = this.backend
      .eventsSubscribe({
        ...(options.filter ? { filter: options.filter } : {}),
        ...(options.afterSeq ? { afterSeq: options.afterSeq } : {}),
        onEvent: (e) => queue.push(e),
      })
      .catch(() => {
        void queue.close();
        return undefined;
      });
    if (options.signal?.aborted) void queue.close();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    return queue;
  }

  /**
   * Waits until the job ends. Resolves with its result when `completed`; rejects with
   * `JobFailedError` (failed, expired), `JobCancelledError`, or `NotFoundError` when there is
   * no such job. A job enqueued with `deleteOnComplete` is gone once completed: its result is
   * taken from its `job.completed` event, so wait before it ends, or use `enqueueAndWait`.
   */
  async waitFor<R = unknown>(id: string, options: { signal?: AbortSignal } = {}): Promise<R> {
    const full = await this.resolveId(id);
    return this.untilEnd<R>(full, options.signal, () => this.get(full));
  }

  /**
   * Enqueues one job and waits until it ends, as `waitFor` does. It listens for the job's events
   * before enqueueing it, so even a job that a fast worker completes (and, with
   * `deleteOnComplete`, deletes) at once is never missed.
   */
  async enqueueAndWait<R = unknown, P = unknown>(
    type: string,
    payload?: P,
    options: EnqueueOptions & { signal?: AbortSignal } = {},
  ): Promise<R> {
    const { signal, ...opts } = options;
    const id = opts.id ?? newId(this.clock.now());
    return this.untilEnd<R>(id, signal, () => this.enqueue(type, payload, { ...opts, id }));
  }

  /**
   * Subscribes to job `id`'s events, then runs `start` (which reads or enqueues the job), and
   * resolves as `waitFor` says once the job is final.
   */
  private async untilEnd<R>(id: string, signal: AbortSignal | undefined, start: () => Promise<Job | null>): Promise<R> {
    let completed: GantryEvent | undefined;
    const ended = new Promise<void>((resolve, reject) => {
      let unsub: (() => Promise<void>) | undefined;
      const finish = (): void => {
        signal?.removeEventListener('abort', abort);
        void unsub?.();
        resolve();
      };
      const abort = (): void => {
        void unsub?.();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.backend
        .eventsSubscribe({
          filter: { jobId: id },
          onEvent: (e) => {
            if (e.type === 'job.completed') completed = e;
            if (e.state && isFinal(e.state)) finish();
          },
        })
        .then(async (u) => {
          unsub = u;
          // The job may have ended before the subscription started.
          const job = await start();
          if (job && !isFinal(job.state)) return;
          // Gone: deleted on completion just now, its event maybe still on its way, or never there.
          if (!job) await this.backend.eventsFlush();
          finish();
        })
        .catch((err: unknown) => {
          signal?.removeEventListener('abort', abort);
          void unsub?.();
          reject(err);
        });
    });
    await ended;
    const job = await this.get(id);
    if (!job) {
      // Deleted on completion: the event is all that is left of it.
      if (completed) return (completed.result ?? null) as R;
      throw new NotFoundError('job', id);
    }
    if (job.state === 'completed') return job.result as R;
    if (job.state === 'cancelled') throw new JobCancelledError(id);
    if (!isFinal(job.state)) return this.waitFor(id, { ...(signal ? { signal } : {}) });
    throw new JobFailedError(id, job.state, job.errors.at(-1)?.message);
  }

  /** Closes the engine if this client opened it. */
  async close(): Promise<void> {
    if (this.ownsBackend) await this.backend.close();
  }
}
