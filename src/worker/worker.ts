/**
 * `Worker`: runs handlers for claimed jobs (DESIGN §1, §3, §5). Written once against
 * `Backend`: it claims by weighted round-robin, keeps its leases alive, fences every outcome on
 * the attempt it holds, and on `stop()` hands unfinished jobs back instead of losing them.
 */
import os from 'node:os';
import type { Backend } from '../backend/backend.js';
import { openBackend } from '../backend/open.js';
import { sleep } from '../core/clock.js';
import { LEASE_RENEW_DIVISOR } from '../core/constants.js';
import { JobCancelledError, LeaseLostError, ValidationError } from '../core/errors.js';
import type { GantryEvent } from '../core/events.js';
import type { Job, JobProgress } from '../core/job.js';
import { decideRetry, toJobError } from '../core/retry.js';
import { validateType } from '../core/validate.js';
import { runAttempt, type AttemptDeps, type AttemptOutcome } from './attempt.js';
import { TypedEmitter } from './emitter.js';
import { WorkerShutdownError } from './errors.js';
import { every } from './every.js';
import { bindLogger } from './logger.js';
import { resolveWorkerOptions, type ResolvedWorkerOptions } from './options.js';
import { Reporter } from './reporter.js';
import type { Handler, JobContext, Middleware, WorkerEvents, WorkerOptions } from './types.js';
import { WeightedRoundRobin } from './weighted.js';

/** A job this worker holds: its attempt runs, or its outcome is being written. */
interface Held {
  job: Job;
  controller: AbortController;
  startedAt: number;
}

const noop = (): void => {};

/** Runs job handlers; see `WorkerOptions` for the knobs and `WorkerEvents` for what it reports. */
export class Worker extends TypedEmitter<WorkerEvents> {
  /** `host:pid:random`, as registered. */
  readonly id: string;
  private readonly opts: ResolvedWorkerOptions;
  private readonly url: string | undefined;
  private readonly handlers = new Map<string, Handler>();
  private readonly middleware: Middleware[] = [];
  private readonly rr: WeightedRoundRobin;
  private readonly held = new Map<string, Held>();
  private readonly loopAbort = new AbortController();
  private engine: Backend | undefined;
  private ownsBackend = false;
  private reporter: Reporter | undefined;
  private phase: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  private loopDone: Promise<void> = Promise.resolve();
  private waiters: (() => void)[] = [];
  private cancelTimers: (() => void)[] = [];
  private unsubscribe: (() => Promise<void>) | undefined;
  private startedAt = new Date(0);
  private stopPromise: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  /** Bumped by every sign of new work; a claim round that saw it change does not go to sleep. */
  private workSeq = 0;
  private readonly queueNames: Set<string>;

  constructor(options: WorkerOptions = {}) {
    super();
    this.opts = resolveWorkerOptions(options);
    this.id = this.opts.id;
    this.engine = options.backend;
    this.url = options.url;
    this.rr = new WeightedRoundRobin(this.opts.queues);
    this.queueNames = new Set(this.rr.names);
    for (const [type, fn] of Object.entries(options.handlers ?? {})) this.handle(type, fn as Handler);
    for (const mw of options.middleware ?? []) this.use(mw);
  }

  /** Registers the handler of a job type (replacing one registered before). */
  handle<P = unknown, R = unknown>(type: string, fn: Handler<P, R>): this {
    if (typeof fn !== 'function') throw new ValidationError(`handler of ${JSON.stringify(type)} must be a function`);
    this.handlers.set(validateType(type), fn as Handler);
    return this;
  }

  /** Adds a middleware; the first added runs outermost. */
  use(middleware: Middleware): this {
    if (typeof middleware !== 'function') throw new ValidationError('middleware must be a function (job, ctx, next)');
    this.middleware.push(middleware);
    return this;
  }

  /** The job types with a handler. */
  get types(): string[] {
    return [...this.handlers.keys()];
  }

  /** Ids of the jobs this worker holds now. */
  get running(): string[] {
    return [...this.held.keys()];
  }

  /** The engine (opened by `start()` when the worker was given a `url`). */
  get backend(): Backend {
    if (!this.engine) throw new ValidationError('the worker has no backend yet: call start() first');
    return this.engine;
  }

  /** Registers the worker and starts claiming; resolves once it is running. */
  start(): Promise<void> {
    if (this.phase !== 'new') return Promise.reject(new ValidationError(`worker ${this.id} was started already`));
    this.phase = 'starting';
    this.starting = this.open();
    return this.starting;
  }

  private async open(): Promise<void> {
    if (!this.engine) {
      this.engine = await openBackend({ clock: this.opts.clock, ...(this.url === undefined ? {} : { url: this.url }) });
      this.ownsBackend = true;
    }
    const backend = this.engine;
    this.reporter = new Reporter(backend);
    this.startedAt = new Date(this.opts.clock.now());
    try {
      this.unsubscribe = await backend.eventsSubscribe({
        filter: { types: ['job.cancelled', 'job.deleted', 'job.enqueued', 'queue.resumed'] },
        onEvent: (e) => this.onEvent(e),
      });
      await this.heartbeat();
    } catch (err) {
      // A worker that failed to start holds nothing: undo what it opened, then report.
      this.phase = 'stopped';
      await this.unsubscribe?.().catch(noop);
      if (this.ownsBackend) await backend.close().catch(noop);
      throw err;
    }
    const onError = (during: string) => (error: unknown) => this.notify('error', { error, during });
    const { clock, leaseMs, heartbeatMs } = this.opts;
    this.cancelTimers.push(
      every(
        clock,
        Math.max(1, Math.floor(leaseMs / LEASE_RENEW_DIVISOR)),
        () => this.renew(),
        onError('lease renewal'),
      ),
    );
    this.cancelTimers.push(every(clock, heartbeatMs, () => this.heartbeat(), onError('heartbeat')));
    if (this.phase === 'starting') this.phase = 'running';
    this.loopDone = this.loop();
    this.notify('worker:started', { workerId: this.id });
  }

  /**
   * Stops gracefully: no new claims, outcomes flushed, running jobs given `shutdownTimeoutMs`
   * to finish, then aborted and handed back (retried at once, error code `SHUTDOWN`); then the
   * worker deregisters. Safe to call more than once.
   */
  stop(): Promise<void> {
    if (this.phase === 'new') this.phase = 'stopped';
    if (this.phase === 'stopped') return this.stopPromise ?? Promise.resolve();
    this.stopPromise ??= this.shutdown();
    return this.stopPromise;
  }

  private async shutdown(): Promise<void> {
    this.phase = 'stopping';
    this.loopAbort.abort();
    this.wake();
    // A stop during start waits for the start, so nothing it registers outlives the stop.
    if (
      await this.starting?.then(
        () => false,
        () => true,
      )
    ) {
      this.phase = 'stopped';
      return;
    }
    await this.loopDone;
    // The shutdown timer starts only once claiming has stopped; `worker:draining` says so.
    if (this.held.size > 0) {
      let cancel = noop;
      const timedOut = new Promise<void>((resolve) => {
        cancel = this.opts.clock.setTimeout(resolve, this.opts.shutdownTimeoutMs);
      });
      this.notify('worker:draining', {
        workerId: this.id,
        running: this.running,
        shutdownTimeoutMs: this.opts.shutdownTimeoutMs,
      });
      await Promise.race([this.drained(), timedOut]);
      cancel();
      const reason = new WorkerShutdownError(this.id, this.opts.shutdownTimeoutMs);
      for (const h of this.held.values()) h.controller.abort(reason);
      await this.drained();
    }
    await this.reporter?.flush().catch((error: unknown) => this.notify('error', { error, during: 'flush' }));
    for (const cancel of this.cancelTimers.splice(0)) cancel();
    const backend = this.backend;
    await this.unsubscribe?.().catch(noop);
    await backend
      .workerRemove({ id: this.id })
      .catch((error: unknown) => this.notify('error', { error, during: 'deregister' }));
    if (this.ownsBackend) await backend.close();
    this.phase = 'stopped';
    this.notify('worker:stopped', { workerId: this.id });
  }

  /** Claims while there are free slots; waits for a wake-up (or `pollMs`) when queues are dry. */
  private async loop(): Promise<void> {
    const signal = this.loopAbort.signal;
    const backend = this.backend;
    while (!signal.aborted) {
      const free = this.opts.concurrency - this.held.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      try {
        const seq = this.workSeq;
        const drained = await this.claimRound(backend, free);
        // Work that arrived while claiming may have rung before workAwait listened.
        if (drained && !signal.aborted && seq === this.workSeq) {
          await backend.workAwait({ queues: this.rr.names, timeoutMs: this.opts.pollMs, signal });
        }
      } catch (error) {
        if (signal.aborted) break;
        this.notify('error', { error, during: 'claim' });
        await sleep(this.opts.clock, this.opts.pollMs, signal).catch(noop);
      }
    }
  }

  /**
   * One claim round: the free slots shared out by weight, one `jobsClaim` per queue picked.
   * Each claim lists every queue (its own first), so a short claim means all are drained.
   */
  private async claimRound(backend: Backend, free: number): Promise<boolean> {
    const types = this.opts.onlyRegisteredTypes ? { types: this.types } : {};
    for (const step of this.rr.plan(free)) {
      if (this.loopAbort.signal.aborted) return false;
      const jobs = await backend.jobsClaim({
        workerId: this.id,
        queues: step.queues,
        limit: step.count,
        leaseMs: this.opts.leaseMs,
        ...types,
      });
      for (const job of jobs) this.execute(job);
      if (jobs.length < step.count) return true;
    }
    return false;
  }

  private execute(job: Job): void {
    const controller = new AbortController();
    const h: Held = { job, controller, startedAt: this.opts.clock.now() };
    this.held.set(job.id, h);
    const ctx: JobContext = {
      signal: controller.signal,
      workerId: this.id,
      log: bindLogger(this.opts.logger, { jobId: job.id, type: job.type, attempt: job.attempts, workerId: this.id }),
      progress: (percent, message) => this.progress(h, percent, message),
    };
    this.notify('job:started', { job });
    void runAttempt(job, ctx, controller, this.attemptDeps())
      .then((outcome) => this.record(h, outcome))
      .catch((error: unknown) => this.notify('error', { error, during: 'record outcome' }))
      .finally(() => this.release(job.id));
  }

  private attemptDeps(): AttemptDeps {
    return { clock: this.opts.clock, handlers: this.handlers, middleware: this.middleware };
  }

  /** Writes an attempt's outcome, fenced on the attempt this worker holds. */
  private async record(h: Held, outcome: AttemptOutcome): Promise<void> {
    const { job } = h;
    const now = this.opts.clock.now();
    const durationMs = now - h.startedAt;
    const reporter = this.reporter!;
    const base = { id: job.id, workerId: this.id, attempt: job.attempts };
    if (outcome.kind === 'completed') {
      const applied = await reporter.complete({ ...base, result: outcome.result });
      this.release(job.id);
      if (applied) this.notify('job:completed', { job, result: outcome.result, durationMs });
      else this.notify('job:aborted', { job, reason: 'lease-lost', durationMs });
      return;
    }
    if (outcome.kind === 'aborted' && !(outcome.reason instanceof WorkerShutdownError)) {
      const reason = outcome.reason instanceof JobCancelledError ? 'cancelled' : 'lease-lost';
      this.release(job.id);
      this.notify('job:aborted', { job, reason, durationMs });
      return;
    }
    const thrown = outcome.kind === 'failed' ? outcome.error : outcome.reason;
    const error = toJobError(thrown, { attempt: job.attempts, workerId: this.id, now });
    // A handed-back job runs again at once: shutdown is not the job's fault.
    const retryAt =
      outcome.kind === 'aborted' ? new Date(now) : decideRetry(job, now, thrown, this.opts.random).retryAt;
    const applied = await reporter.fail({ ...base, error, retryAt });
    this.release(job.id);
    if (!applied) this.notify('job:aborted', { job, reason: 'lease-lost', durationMs });
    else if (retryAt) this.notify('job:retrying', { job, error, retryAt, durationMs });
    else this.notify('job:failed', { job, error, durationMs });
  }

  private async progress(h: Held, percent: number, message?: string): Promise<void> {
    if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      throw new ValidationError(`progress percent must be a number from 0 to 100, got ${JSON.stringify(percent)}`);
    }
    if (message !== undefined && typeof message !== 'string') {
      throw new ValidationError('progress message must be a string');
    }
    if (h.controller.signal.aborted) return;
    const progress: JobProgress = message === undefined ? { percent } : { percent, message };
    const holds = await this.backend.jobProgress({ id: h.job.id, workerId: this.id, progress });
    if (!holds) h.controller.abort(new LeaseLostError(h.job.id, this.id));
    else this.notify('job:progress', { job: h.job, progress });
  }

  /** Extends every lease held; a job reported lost is aborted and its outcome dropped. */
  private async renew(): Promise<void> {
    const ids = this.running;
    if (ids.length === 0) return;
    const { lost } = await this.backend.jobsLeaseRenew({ workerId: this.id, ids, leaseMs: this.opts.leaseMs });
    for (const id of lost) this.held.get(id)?.controller.abort(new LeaseLostError(id, this.id));
  }

  private heartbeat(): Promise<void> {
    return this.backend.workerHeartbeat({
      worker: {
        id: this.id,
        host: os.hostname(),
        pid: process.pid,
        queues: this.opts.queues,
        concurrency: this.opts.concurrency,
        running: this.running,
        startedAt: this.startedAt,
        lastSeenAt: new Date(this.opts.clock.now()),
      },
    });
  }

  /**
   * New work in its queues marks the claim round in progress stale; a cancel (or forced
   * delete) of a job it runs fires that handler's signal at once.
   */
  private onEvent(e: GantryEvent): void {
    if (e.type === 'job.enqueued' || e.type === 'queue.resumed') {
      if (e.state === 'scheduled') return;
      if (e.queue === undefined || this.queueNames.has(e.queue)) this.workSeq++;
      return;
    }
    const h = e.jobId === undefined ? undefined : this.held.get(e.jobId);
    if (!h) return;
    h.controller.abort(
      e.type === 'job.cancelled' ? new JobCancelledError(h.job.id) : new LeaseLostError(h.job.id, this.id),
    );
  }

  /** Resolves when no job is held. */
  private async drained(): Promise<void> {
    while (this.held.size > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** The job is no longer held: its slot is free (listeners of its outcome see it so). */
  private release(id: string): void {
    if (this.held.delete(id)) this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private notify<K extends keyof WorkerEvents>(event: K, payload: WorkerEvents[K]): void {
    if (event === 'error') this.opts.logger.warn(payload, 'worker error');
    this.emit(event, payload, (err) => this.opts.logger.error({ err, event }, 'worker event listener threw'));
  }
}
