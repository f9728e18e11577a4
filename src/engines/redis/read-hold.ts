/**
 * Holds the event stream's next read while this process's claims are out. Redis answers a
 * blocked read before the command whose write unblocked it, so a read waiting while a claim
 * runs would put one more reply (the claim's own `job.started` entry, which a worker does not
 * take) ahead of the claim's, and one more write of this process after it; an idle worker's
 * start waits for both. Reads wait at most `REDIS_READ_HOLD_MAX_MS`, so claims always out (many
 * workers in one process) only pace them.
 */
import { REDIS_READ_HOLD_MAX_MS } from '../../core/constants.js';

/** Counts the claims out and lets the reader wait for none. */
export class ReadHold {
  private out = 0;
  private waiters: (() => void)[] = [];

  /** Runs `op` (a claim) with reads held until it settles. */
  async during<T>(op: () => Promise<T>): Promise<T> {
    this.out++;
    try {
      return await op();
    } finally {
      if (--this.out === 0) this.release();
    }
  }

  /**
   * Resolves in a later turn of the event loop (a worker woken by the entries just read sends
   * its claim first), once no claim is out or after the longest hold, and then after one more
   * turn (what a claim's reply starts runs first).
   */
  async clear(): Promise<void> {
    await nextTurn();
    if (this.out === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, REDIS_READ_HOLD_MAX_MS);
      timer.unref?.();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await nextTurn();
  }

  /** Lets every waiting reader go (when the last claim settles, or the backend closes). */
  release(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Resolves in the next turn of the event loop, after the promise callbacks and I/O now due. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
