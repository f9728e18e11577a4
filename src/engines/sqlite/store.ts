/**
 * The open store every operation module works on: the connection, its prepared statements,
 * the clock and the event hub, and `write`, the one way to change data.
 */
import type { Clock } from '../../core/clock.js';
import type { GantryEvent } from '../../core/events.js';
import type { Db } from './connection.js';
import type { EventHub } from './event-hub.js';
import type { Statements } from './statements.js';

/** What the operation modules share. */
export class Store {
  private readonly tx: { immediate: (fn: () => unknown) => unknown };

  constructor(
    readonly db: Db,
    readonly st: Statements,
    readonly clock: Clock,
    readonly hub: EventHub,
  ) {
    // One transaction wrapper, made once; `immediate` takes the write lock up front so two
    // processes never deadlock upgrading a read to a write.
    this.tx = db.transaction((fn: () => unknown) => fn());
  }

  /** The current time in ms, from the injected clock. */
  now(): number {
    return this.clock.now();
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction. Events `fn` pushes to `out` are written in
   * the same transaction and delivered in-process after it commits (never if it rolls back).
   */
  write<T>(fn: (out: GantryEvent[]) => T): T {
    const out: GantryEvent[] = [];
    const result = this.tx.immediate(() => {
      const r = fn(out);
      if (out.length > 0) this.hub.insert(out, this.clock.now());
      return r;
    }) as T;
    if (out.length > 0) this.hub.deliver(out);
    return result;
  }
}
