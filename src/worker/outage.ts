/**
 * How a worker rides out an engine outage: it notices the first call that finds the engine
 * unreachable, backs its claims off while the outage lasts, and notices the first call that
 * succeeds again. Running handlers go on meanwhile; their leases hold as long as the outage is
 * shorter than the lease, so their results are still recorded afterwards.
 */
import { sleep, type Clock } from '../core/clock.js';
import { ENGINE_RETRY_MAX_MS } from '../core/constants.js';
import { GantryError } from '../core/errors.js';
import type { Logger, WorkerEvents } from './types.js';

/** True when `err` says the engine could not be reached (rather than that a call was wrong). */
export function isEngineUnavailable(err: unknown): boolean {
  return err instanceof GantryError && err.code === 'ENGINE_UNAVAILABLE';
}

/** What an outage watch tells its worker. */
export interface OutageHooks {
  /** The first call of an outage failed: `error` is its error, `during` what the worker was doing. */
  down(info: { error: unknown; during: string; since: Date }): void;
  /** A call succeeded after an outage of `downMs`. */
  up(info: { downMs: number }): void;
}

/** The engine's reachability as one worker's calls find it. */
export class OutageWatch {
  private since: number | null = null;
  private failures = 0;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: OutageHooks,
  ) {}

  /** True from the first unreachable call until one succeeds again. */
  get down(): boolean {
    return this.since !== null;
  }

  /**
   * Records a failed call. Returns true when `error` means the engine is unreachable: the
   * outage is then reported once, by `down`, and the caller need not log each such failure.
   */
  failed(error: unknown, during: string): boolean {
    if (!isEngineUnavailable(error)) return false;
    this.failures++;
    if (this.since !== null) return true;
    this.since = this.clock.now();
    this.hooks.down({ error, during, since: new Date(this.since) });
    return true;
  }

  /** Records a call that reached the engine; ends an outage. */
  ok(): void {
    this.failures = 0;
    if (this.since === null) return;
    const downMs = this.clock.now() - this.since;
    this.since = null;
    this.hooks.up({ downMs });
  }

  /**
   * How long the claim loop waits before its next try: `pollMs` normally; while the engine is
   * unreachable, doubling from `pollMs` with each failure up to `ENGINE_RETRY_MAX_MS` (or
   * `pollMs` when that is longer).
   */
  retryDelay(pollMs: number): number {
    if (this.failures <= 1) return pollMs;
    const cap = Math.max(pollMs, ENGINE_RETRY_MAX_MS);
    return Math.min(cap, pollMs * 2 ** Math.min(this.failures - 1, 30));
  }
}

/**
 * A worker's watch: it logs the outage's start (warn) and end (info) on `opts.logger` and
 * reports them as the worker events `engine:down` / `engine:up` through `notify`.
 */
export function loggedOutageWatch(
  opts: { clock: Clock; logger: Logger },
  notify: <K extends 'engine:down' | 'engine:up'>(event: K, info: WorkerEvents[K]) => void,
): OutageWatch {
  return new OutageWatch(opts.clock, {
    down: (info) => {
      const fields = { err: info.error, during: info.during, since: info.since };
      opts.logger.warn(fields, 'engine unreachable: retrying with backoff; running jobs go on');
      notify('engine:down', info);
    },
    up: (info) => {
      opts.logger.info(info, 'engine reachable again');
      notify('engine:up', info);
    },
  });
}

/** What `writeThroughOutage` needs of its worker. */
export interface OutageRetry {
  watch: OutageWatch;
  clock: Clock;
  pollMs: number;
  /** Aborted when the worker stops: the write is then tried no more. */
  signal: AbortSignal;
  /** Reports a failed try (the worker's `error` event). */
  onError(error: unknown): void;
}

/**
 * Runs `write` (an attempt's fenced outcome) until it reaches the engine: while it fails with
 * `EngineUnavailableError`, it is tried again after the claims' backoff, so a job that ends
 * during an outage has its outcome recorded once the engine is back (if its lease still
 * holds; the write is fenced, so otherwise it reports the lease lost). Once the worker stops,
 * the last error is thrown instead: the job then comes back after its lease.
 */
export async function writeThroughOutage<T>(write: () => Promise<T>, r: OutageRetry): Promise<T> {
  for (;;) {
    try {
      const out = await write();
      r.watch.ok();
      return out;
    } catch (error) {
      if (!isEngineUnavailable(error) || r.signal.aborted) throw error;
      r.onError(error);
      try {
        await sleep(r.clock, r.watch.retryDelay(r.pollMs), r.signal);
      } catch {
        throw error;
      }
    }
  }
}
