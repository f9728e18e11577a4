/**
 * How a worker rides out an engine outage: it notices the first call that finds the engine
 * unreachable, backs its claims off while the outage lasts, and notices the first call that
 * succeeds again. Running handlers go on meanwhile; their leases hold as long as the outage is
 * shorter than the lease, so their results are still recorded afterwards.
 */
import type { Clock } from '../core/clock.js';
import { ENGINE_RETRY_MAX_MS } from '../core/constants.js';
import { GantryError } from '../core/errors.js';

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
