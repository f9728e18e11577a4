/**
 * Worker wake-ups of an engine that hears them on a channel (PostgreSQL NOTIFY, Redis
 * PUBLISH): `workAwait` waiters by queue, and the queues woken while nobody waited, so the
 * next wait on them returns at once and no wake-up is lost between two waits.
 */
import type { Clock } from '../core/clock.js';

/** Wake-ups remembered for queues nobody waited on at the moment (bounded). */
const MAX_PENDING = 1000;

interface Waiter {
  queues: string[];
  done: () => void;
}

/** The waiters of one backend and its remembered wake-ups. */
export class WakeBoard {
  private readonly waiters = new Set<Waiter>();
  private readonly pending = new Set<string>();
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /** Wakes the waiters of `queue`, or remembers it for the next wait. */
  wake(queue: string): void {
    let woke = false;
    for (const w of [...this.waiters]) {
      if (w.queues.includes(queue)) {
        w.done();
        woke = true;
      }
    }
    if (!woke && this.pending.size < MAX_PENDING) this.pending.add(queue);
  }

  /** Wakes every waiter (after an outage: what was published meanwhile is lost, so all look). */
  wakeAll(): void {
    for (const w of [...this.waiters]) w.done();
  }

  /** Resolves on a wake-up for `queues`, after `timeoutMs` on the clock, or when `signal` aborts. */
  await(queues: string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || this.closed) return Promise.resolve();
    const hit = queues.filter((q) => this.pending.has(q));
    if (hit.length > 0) {
      for (const q of hit) this.pending.delete(q);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const w: Waiter = {
        queues,
        done: () => {
          this.waiters.delete(w);
          cancel();
          signal?.removeEventListener('abort', w.done);
          resolve();
        },
      };
      const cancel = this.clock.setTimeout(w.done, timeoutMs);
      signal?.addEventListener('abort', w.done, { once: true });
      this.waiters.add(w);
    });
  }

  /** Wakes every waiter; later waits return at once. */
  close(): void {
    this.closed = true;
    this.wakeAll();
  }
}
