/**
 * Time is injected: every part of Gantry asks a `Clock` for the time and for timers, so tests
 * can drive time with a `ManualClock` instead of sleeping.
 */

/** A source of time and timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
}

/**
 * The longest delay one Node timer can wait, in ms (2^31 - 1, about 24.8 days). Node fires a
 * timer asked for more after 1 ms, so `systemClock` chains timers for longer waits.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock. Timers are `unref`'d so they never keep a process alive on their own. A
 * wait over `MAX_TIMER_MS` (a 30-day job timeout, a yearly schedule) runs as a chain of timers
 * aimed at the same moment; `Infinity` never fires.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const wait = ms > 0 ? ms : 0;
    if (wait <= MAX_TIMER_MS) {
      const t = setTimeout(fn, wait);
      t.unref?.();
      return () => clearTimeout(t);
    }
    return chainedTimeout(fn, Date.now() + wait);
  },
};

/** Calls `fn` at `at` (ms since the epoch) through timers of at most `MAX_TIMER_MS` each. */
function chainedTimeout(fn: () => void, at: number): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const arm = (): void => {
    const left = at - Date.now();
    timer = left > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fn, Math.max(0, left));
    timer.unref?.();
  };
  arm();
  return () => clearTimeout(timer);
}

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that only moves when told. `advance(ms)` runs every timer that falls due, in order,
 * letting promise callbacks settle between them.
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: PendingTimer[] = [];
  private seq = 0;

  /** @param start start time in ms since the epoch (default 2030-01-01T00:00:00Z). */
  constructor(start: number | Date = Date.UTC(2030, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Number of timers waiting. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      next.fn();
      await flushPromises();
    }
    this.current = target;
    await flushPromises();
  }

  /** Sets the time to `at` (never backwards), firing due timers. */
  async set(at: number | Date): Promise<void> {
    const t = typeof at === 'number' ? at : at.getTime();
    await this.advance(Math.max(0, t - this.current));
  }
}

/**
 * Watches for a turn of the event loop from now on (an immediate scheduled now has run, so
 * I/O was polled): the function it returns stops watching and tells whether it came. A promise
 * that an in-process engine resolved comes back without one; a network round trip of a
 * millisecond or more, with one.
 */
export function watchTurn(): () => boolean {
  let turned = false;
  const watch = setImmediate(() => (turned = true));
  return () => {
    clearImmediate(watch);
    return turned;
  };
}

/** Lets pending promise callbacks and I/O callbacks run. */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves after `ms` on `clock`, or rejects when `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
