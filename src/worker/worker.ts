/**
 * `Worker`: runs handlers for claimed jobs (docs/architecture.md, "Delivery" and "Workers"). Written once against
 * `Backend`: it claims by weighted round-robin, keeps its leases alive, fences every outcome on
 * the attempt it holds, and on `stop()` hands unfinished jobs back instead of losing them.
 */
import type { Backend } from '../backend/backend.js';
import { openBackend } from '../backend/open.js';
import { flushPromises, sleep, watchTurn } from '../core/clock.js';
import { MAX_CLAIM_BATCH } from '../core/constants.js';
import { JobCancelledError, LeaseLostError, ValidationError } from '../core/errors.js';
import { wakesWorkers, type GantryEvent } from '../core/events.js';
import type { Job } from '../core/job.js';
import { validateType } from '../core/validate.js';
import { AttemptAbort } from './attempt-abort.js';
import { jobContext, runAttempt, type AttemptDeps } from './attempt.js';
import { TypedEmitter } from './emitter.js';
import { WorkerShutdownError } from './errors.js';
import { recordOutcome, reportProgress, type Held, type OutcomeDeps } from './outcome.js';
import { prefetchFor, resolveWorkerOptions, type ResolvedWorkerOptions } from './options.js';
import { loggedOutageWatch, writeThroughOutage, type OutageRetry, type OutageWatch } from './outage.js';
import { interleave, PrefetchBuffer, splitStep, wakeClaim } from './prefetch.js';
import { Reporter } from './reporter.js';
import type { Handler, Middleware, WorkerEvents, WorkerOptions } from './types.js';
import { heartbeat, renewLeases, startUpkeep } from './upkeep.js';
import { WeightedRoundRobin, engineQueueWeights, resolveQueueWeights } from './weighted.js';

const noop = (): void => {};

/** Runs job handlers; see `WorkerOptions` for the knobs and `WorkerEvents` for what it reports. */
export class Worker extends TypedEmitter<WorkerEvents> {
  /** `host:pid:random`, as registered. */
  readonly id: string;
  private readonly opts: ResolvedWorkerOptions;
  private readonly url: string | undefined;
  private readonly handlers = new Map<string, Handler>();
  private readonly middleware: Middleware[] = [];
  private rr: WeightedRoundRobin;
  /** Jobs whose attempt runs: each takes a slot. */
  private readonly held = new Map<string, Held>();
  /** Jobs whose attempt ended and whose outcome is being written: no slot, lease still renewed. */
  private readonly writing = new Map<string, Job>();
  /** Jobs claimed ahead of free slots, waiting for one. */
  private buffer: PrefetchBuffer;
  private readonly loopAbort = new AbortController();
  private engine: Backend | undefined;
  private ownsBackend = false;
  /** How attempt outcomes are written (made once the backend is open). */
  private outcome: OutcomeDeps | undefined;
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
  /** Bumped by every freed slot and written outcome, either of which may lift a queue's cap. */
  private freedSeq = 0;
  private readonly queueNames: Set<string>;
  /** The queues and the weights this worker uses (`resolveQueueWeights`, once the engine is open). */
  private queues: { name: string; weight: number }[];
  /** What every attempt needs (the handler map and middleware list change in place). */
  private readonly deps: AttemptDeps;
  /** Whether the engine answers, as this worker's calls find it (see `outage.ts`). */
  private readonly outage: OutageWatch;
  /** How outcome writes ride out an outage: made once, not per job (it is on every job's path). */
  private readonly outageRetry: OutageRetry;

  constructor(options: WorkerOptions = {}) {
    super();
    this.opts = resolveWorkerOptions(options);
    this.id = this.opts.id;
    this.engine = options.backend;
    this.url = options.url;
    this.queues = resolveQueueWeights(this.opts.queues, new Map());
    this.rr = new WeightedRoundRobin(this.queues);
    // Sized for the engine once it is open (`open`); nothing is buffered before.
    this.buffer = new PrefetchBuffer(0, this.opts.concurrency);
    this.queueNames = new Set(this.rr.names);
    this.deps = { clock: this.opts.clock, handlers: this.handlers, middleware: this.middleware };
    this.outage = loggedOutageWatch(this.opts, (event, info) => this.notify(event, info));
    this.outageRetry = {
      watch: this.outage,
      clock: this.opts.clock,
      pollMs: this.opts.pollMs,
      signal: this.loopAbort.signal,
      onError: (error) => this.notify('error', { error, during: 'record outcome' }),
    };
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

  /** Ids of the jobs this worker holds now: attempts running, and outcomes not yet written. */
  get running(): string[] {
    return [...this.held.keys(), ...this.writing.keys()];
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
    // Queues listed without a weight take the queue's own (a setting of the queue).
    this.queues = await engineQueueWeights(backend, this.opts.queues);
    this.rr = new WeightedRoundRobin(this.queues);
    this.buffer = new PrefetchBuffer(prefetchFor(this.opts, backend.capabilities), this.opts.concurrency);
    this.outcome = {
      workerId: this.id,
      opts: this.opts,
      reporter: new Reporter(backend),
      write: (job, fn) => this.write(job, fn),
      settle: (id) => this.settle(id),
      notify: (event, payload) => this.notify(event, payload),
    };
    this.startedAt = new Date(this.opts.clock.now());
    try {
      this.unsubscribe = await backend.eventsSubscribe({
        filter: { types: ['job.cancelled', 'job.deleted', 'job.enqueued', 'queue.resumed', 'queue.updated'] },
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
    this.cancelTimers.push(
      ...startUpkeep({
        opts: this.opts,
        renew: () => this.renew(),
        heartbeat: () => this.heartbeat().then(() => this.outage.ok()),
        onError: (during) => (error) => this.notify('error', { error, during }),
      }),
    );
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
    const failedToStart = (): boolean => true;
    if (await this.starting?.then(() => false, failedToStart)) {
      this.phase = 'stopped';
      return;
    }
    await this.loopDone;
    // Buffered jobs never started: give them back at once, their attempt unspent.
    await this.buffer
      .handBack(this.backend, this.id)
      .catch((error: unknown) => this.notify('error', { error, during: 'hand back' }));
    // The shutdown timer starts only once claiming has stopped; `worker:draining` says so.
    if (this.held.size > 0 || this.writing.size > 0) {
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
      for (const h of this.held.values()) h.abort.abort(reason);
      await this.drained();
    }
    await this.outcome?.reporter.flush().catch((error: unknown) => this.notify('error', { error, during: 'flush' }));
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

  /** Claims while slots are free (or the buffer runs low); waits for a wake-up when queues are dry. */
  private async loop(): Promise<void> {
    const signal = this.loopAbort.signal;
    const backend = this.backend;
    // A claim on wake-up that came back short found the queues drained: no claim round needed.
    let drainedByWait = false;
    while (!signal.aborted) {
      const free = this.opts.concurrency - this.held.size;
      // Outcomes waiting for their write are bounded too, so a slow engine slows claiming down.
      if ((free <= 0 && !this.buffer.low) || this.writing.size >= MAX_CLAIM_BATCH) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      try {
        const seq = this.workSeq;
        const freed = this.freedSeq;
        const turned = watchTurn();
        const drained = drainedByWait || (await this.claimRound(backend, Math.max(0, free)));
        drainedByWait = false;
        this.outage.ok();
        // An engine that answers in-process (SQLite) returns without the event loop turning and
        // would keep a whole drain in promise callbacks: timers (lease renewal, heartbeat) and
        // I/O get a turn here. Not after a networked claim, where the pause only slowed the drain.
        if (!turned() && !drained) await flushPromises();
        // Work that arrived (or a slot that freed) while claiming may have rung before workAwait listened.
        if (drained && !signal.aborted && seq === this.workSeq && freed === this.freedSeq) {
          drainedByWait = await this.idle(backend, signal);
        }
      } catch (error) {
        if (signal.aborted) break;
        this.notify('error', { error, during: 'claim' });
        await sleep(this.opts.clock, this.outage.retryDelay(this.opts.pollMs), signal).catch(noop);
      }
    }
  }

  /**
   * Waits for a wake-up, or `pollMs`. While jobs run (or their outcomes are written), a freed
   * slot or a written outcome ends the wait too: a short claim may have met a queue's
   * concurrency cap, which a finished job lifts. Where the engine claims on wake-up
   * (`claimOnWake`) the wait is a claim, whose jobs start at once; true when it came back short.
   */
  private async idle(backend: Backend, signal: AbortSignal): Promise<boolean> {
    const wait = new AbortController();
    const stop = (): void => wait.abort();
    signal.addEventListener('abort', stop, { once: true });
    if (this.held.size > 0 || this.writing.size > 0) this.waiters.push(stop);
    try {
      const timing = { timeoutMs: this.opts.pollMs, signal: wait.signal };
      if (!backend.capabilities.claimOnWake) {
        await backend.workAwait({ queues: this.rr.names, ...timing });
        return false;
      }
      const claim = wakeClaim(this.rr, this.buffer, {
        workerId: this.id,
        free: this.opts.concurrency - this.held.size,
        leaseMs: this.opts.leaseMs,
        types: this.opts.onlyRegisteredTypes ? this.types : undefined,
      });
      const jobs = await backend.jobsClaimAwait({ ...claim, ...timing });
      if (jobs.length === 0) return false;
      this.buffer.push(jobs);
      this.fill();
      return jobs.length < claim.limit + (claim.prefetch ?? 0);
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  /**
   * One claim round: the free slots plus what the buffer lacks, shared out by weight, one
   * `jobsClaim` per queue picked. Each claim lists every queue (its own first), so a short
   * claim means all are drained (or capped). Returns true when a claim came back short.
   */
  private async claimRound(backend: Backend, free: number): Promise<boolean> {
    const types = this.opts.onlyRegisteredTypes ? { types: this.types } : {};
    const steps = this.rr.plan(free + Math.max(0, this.buffer.target - this.buffer.size));
    // Starved when the round begins dry right after the last one (jobs outran it), or while its
    // claim is out (jobs finished meanwhile); slow jobs do neither, so they get no buffer.
    const began = this.opts.clock.now();
    const [dry, freed] = [this.starving() && this.buffer.soonAfterLastRound(began), this.freedSeq];
    const results: Job[][] = [];
    let full = true;
    for (const step of steps) {
      if (this.loopAbort.signal.aborted) break;
      const jobs = await backend.jobsClaim({
        workerId: this.id,
        queues: step.queues,
        ...splitStep(step, free),
        leaseMs: this.opts.leaseMs,
        ...types,
      });
      results.push(jobs);
      if (jobs.length < step.count) {
        full = false;
        break;
      }
    }
    this.buffer.learn(full, dry || (freed !== this.freedSeq && this.starving()));
    this.buffer.roundDone(began, this.opts.clock.now());
    this.buffer.push(interleave(steps, results));
    this.fill();
    return !full;
  }

  /** A slot is free and nothing is buffered to fill it. */
  private starving(): boolean {
    return this.buffer.size === 0 && this.held.size < this.opts.concurrency;
  }

  /** Starts buffered jobs while slots are free (never once stopping: those are handed back). */
  private fill(): void {
    while (this.phase === 'running' && this.held.size < this.opts.concurrency) {
      const job = this.buffer.shift();
      if (!job) return;
      this.execute(job);
    }
  }

  private execute(job: Job): void {
    const abort = new AttemptAbort();
    const h: Held = { job, abort, startedAt: this.opts.clock.now() };
    this.held.set(job.id, h);
    const ctx = jobContext(job, abort, this.id, this.opts.logger, (percent, message) =>
      reportProgress(this.backend, this.outcome!, h, percent, message),
    );
    this.notify('job:started', { job });
    // One reaction each way rather than then/catch/finally: three promises fewer per job.
    void runAttempt(job, ctx, abort, this.deps)
      .then((outcome) => recordOutcome(this.outcome!, h, outcome))
      .then(
        () => this.settle(job.id),
        (error: unknown) => {
          this.notify('error', { error, during: 'record outcome' });
          this.settle(job.id);
        },
      );
  }

  /**
   * Frees the job's slot at once and writes its outcome while the next claims go on; the job
   * stays held (its lease renewed, graceful shutdown waiting for it) until the write returns.
   * Through an engine outage the write is tried again until the engine answers.
   */
  private async write(job: Job, fn: () => Promise<boolean>): Promise<boolean> {
    this.writing.set(job.id, job);
    this.slotFree(job.id);
    try {
      return await writeThroughOutage(fn, this.outageRetry);
    } finally {
      this.settle(job.id);
    }
  }

  /** The job is no longer held in any way. */
  private settle(id: string): void {
    this.slotFree(id);
    if (!this.writing.delete(id)) return;
    this.freedSeq++;
    this.wake();
  }

  /** Extends every lease held, buffered jobs' too; a lost job is aborted or unbuffered. */
  private renew(): Promise<void> {
    const ids = [...this.running, ...this.buffer.ids()];
    return renewLeases(this.backend, { workerId: this.id, leaseMs: this.opts.leaseMs, ids }, (id) => {
      if (!this.buffer.drop(id)) this.held.get(id)?.abort.abort(new LeaseLostError(id, this.id));
    });
  }

  private heartbeat(): Promise<void> {
    const opts = { ...this.opts, queues: this.queues };
    return heartbeat(this.backend, { id: this.id, opts, startedAt: this.startedAt, running: this.running });
  }

  /**
   * New work in its queues marks the claim round in progress stale; a cancel (or forced
   * delete) of a job it runs fires that handler's signal at once.
   */
  private onEvent(e: GantryEvent): void {
    if (wakesWorkers(e)) {
      if (e.queue === undefined || this.queueNames.has(e.queue)) this.workSeq++;
      return;
    }
    if (e.type === 'job.enqueued') return;
    if (e.jobId === undefined || this.buffer.drop(e.jobId)) return;
    const h = this.held.get(e.jobId);
    if (!h) return;
    h.abort.abort(e.type === 'job.cancelled' ? new JobCancelledError(h.job.id) : new LeaseLostError(h.job.id, this.id));
  }

  /** Resolves when no attempt runs and every outcome is written. */
  private async drained(): Promise<void> {
    while (this.held.size > 0 || this.writing.size > 0) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The job is no longer held: its slot is free (listeners of its outcome see it so). */
  private slotFree(id: string): void {
    if (!this.held.delete(id)) return;
    this.freedSeq++;
    this.fill();
    this.wake();
  }

  private wake(): void {
    if (this.waiters.length > 0) for (const w of this.waiters.splice(0)) w();
  }

  private notify<K extends keyof WorkerEvents>(event: K, payload: WorkerEvents[K]): void {
    if (event === 'error') {
      const { error, during } = payload as WorkerEvents['error'];
      // During an outage every call fails the same way: one warning says so (engine:down).
      if (this.outage.failed(error, during)) this.opts.logger.debug(payload, 'worker error: engine unreachable');
      else this.opts.logger.warn(payload, 'worker error');
    }
    this.emit(event, payload);
  }

  protected override listenerFailed(err: unknown, event: keyof WorkerEvents): void {
    this.opts.logger.error({ err, event }, 'worker event listener threw');
  }
}
