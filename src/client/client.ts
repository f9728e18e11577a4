/**
 * `Client`: the producer and operator API (docs/architecture.md). Written once against `Backend`; it
 * validates every input in the core before the engine sees it.
 */
import { openBackend } from '../backend/open.js';
import type { Backend, JobFilter, QueueInfo, QueueSettings, StateCounts, WorkerInfo } from '../backend/backend.js';
import { AsyncQueue } from '../core/async-queue.js';
import { systemClock, type Clock } from '../core/clock.js';
import { LIST_FILL_ROUNDS } from '../core/constants.js';
import { JobCancelledError, JobFailedError, NotFoundError, ValidationError } from '../core/errors.js';
import type { EventFilter, GantryEvent } from '../core/events.js';
import { newId } from '../core/ids.js';
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
  /** Payload limit in bytes (default 1 MiB). */
  maxPayloadBytes?: number;
}

/** Filters of `list`, in the singular/plural forms people type. */
export interface ListOptions {
  state?: JobState | JobState[];
  queue?: string | string[];
  type?: string | string[];
  tag?: string | string[];
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
  if (ids) f.ids = ids.map((id) => validateJobId(id));
  if (o.text) f.text = validateTextFilter(o.text);
  return f;
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

  /** A job by id, or `null`. */
  async get(id: string): Promise<Job | null> {
    return this.backend.jobGet({ id: validateJobId(id) });
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

  /** Counts by state per queue. */
  async counts(queues?: string[]): Promise<Record<string, StateCounts>> {
    return this.backend.jobsCount(queues ? { queues: queues.map(validateQueue) } : {});
  }

  /** Every queue with its settings and counts. */
  queues(): Promise<QueueInfo[]> {
    return this.backend.queuesList();
  }

  /** Cancels a live job; a running handler sees its `AbortSignal` fire. */
  async cancel(id: string): Promise<Job> {
    return this.backend.jobCancel({ id: validateJobId(id) });
  }

  /** Runs a finished job again, with a fresh attempt budget. */
  async retry(id: string): Promise<Job> {
    return this.backend.jobRetry({ id: validateJobId(id) });
  }

  /** Deletes a job in a final state (any state with `force`). */
  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    return this.backend.jobDelete({ id: validateJobId(id), force: options.force ?? false });
  }

  /** Stops workers from claiming this queue's jobs, cluster-wide. */
  async pause(queue: string): Promise<QueueInfo> {
    return this.backend.queueUpdate({ queue: validateQueue(queue), settings: { paused: true } });
  }

  /** Lets workers claim this queue's jobs again. */
  async resume(queue: string): Promise<QueueInfo> {
    return this.backend.queueUpdate({ queue: validateQueue(queue), settings: { paused: false } });
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
    return this.untilEnd<R>(id, options.signal, () => this.get(id));
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
