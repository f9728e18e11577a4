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

/**
 * First and longest pause between two attempts at a lock another process holds, in real ms:
 * short, so the lock changes hands within a few ms of its release (SQLite's own busy handler
 * sleeps 1, 2, 5, 10, … up to 100 ms at a time, blocking the event loop while it does).
 */
const LOCK_RETRY_MIN_MS = 1;
const LOCK_RETRY_MAX_MS = 2;

/** True for SQLite's "another connection holds the lock" errors (`SQLITE_BUSY` and its extended codes). */
function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Turns SQLite's lock and I/O failures into `EngineUnavailableError`; other errors pass through. */
export function mapSqliteError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (isBusy(err) || code === 'SQLITE_LOCKED') {
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
   * Runs `op` (a read, or an operation making one `write`) past the other processes' locks.
   * The connection's busy timeout is 0 (see `openSqliteBackend`), so a locked file fails at
   * once instead of sleeping inside SQLite; `op` is then tried again after pauses that leave
   * this process's event loop free, for up to `SQLITE_BUSY_TIMEOUT_MS` of real time (the wait
   * is on other processes, not on the injected clock). Errors come out as `mapSqliteError`
   * makes them. Without contention the answer is returned as it is, not as a promise, so an
   * in-process operation resolves in as few ticks as before.
   */
  locked<T>(op: () => T): T | Promise<T> {
    try {
      return op();
    } catch (err) {
      if (!isBusy(err)) throw mapSqliteError(err);
      return this.lockWait(op, performance.now() + SQLITE_BUSY_TIMEOUT_MS);
    }
  }

  private async lockWait<T>(op: () => T, deadline: number): Promise<T> {
    for (let wait = LOCK_RETRY_MIN_MS; ; wait = Math.min(wait * 2, LOCK_RETRY_MAX_MS)) {
      await pause(wait);
      try {
        return op();
      } catch (err) {
        if (!isBusy(err) || performance.now() >= deadline) throw mapSqliteError(err);
      }
    }
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction. Events `fn` pushes to `out` are written in
   * the same transaction and delivered in-process after it commits (never if it rolls back).
   * Lock and I/O errors come out raw: operations run inside `locked`, which retries and maps them.
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
