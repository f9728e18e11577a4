/**
 * The open store every operation module works on: the connection, its prepared statements,
 * the clock and the event hub, and `write`, the one way to change data.
 */
import type { Clock } from '../../core/clock.js';
import { EngineUnavailableError } from '../../core/errors.js';
import type { GantryEvent } from '../../core/events.js';
import type { Db } from './connection.js';
import type { EventHub } from './event-hub.js';
import { SQLITE_BUSY_TIMEOUT_MS } from './connection.js';
import type { Statements } from './statements.js';

/** Turns SQLite's lock and I/O failures into `EngineUnavailableError`; other errors pass through. */
export function mapSqliteError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new EngineUnavailableError(
      `the SQLite file stayed locked by another process for ${SQLITE_BUSY_TIMEOUT_MS} ms; retry, or use PostgreSQL for heavier write concurrency`,
      err,
    );
  }
  if (typeof code === 'string' && /^SQLITE_(IOERR|CANTOPEN|FULL|READONLY|CORRUPT|NOTADB)/.test(code)) {
    return new EngineUnavailableError(
      `the SQLite file cannot be written (${code}); check the disk and its permissions`,
      err,
    );
  }
  if (err instanceof TypeError && /database connection is not open/.test(err.message)) {
    return new EngineUnavailableError('the SQLite backend is closed; open it again', err);
  }
  return err;
}

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
    let result: T;
    try {
      result = this.tx.immediate(() => {
        const r = fn(out);
        if (out.length > 0) this.hub.insert(out, this.clock.now());
        return r;
      }) as T;
    } catch (err) {
      throw mapSqliteError(err);
    }
    if (out.length > 0) this.hub.deliver(out);
    return result;
  }
}
