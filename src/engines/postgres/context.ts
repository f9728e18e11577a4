/** What every part of the PostgreSQL engine shares, and event emission inside a transaction. */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../../core/clock.js';
import { wakesWorkers, type GantryEvent } from '../../core/events.js';
import { run, type Queryable } from './connection.js';
import { MAX_EVENT_TEXT } from './sql-events.js';
import { adminStatements, type AdminStatements } from './statements-admin.js';
import { jobStatements, type JobStatements } from './statements-jobs.js';

/** The engine's shared state. */
export interface Ctx {
  pool: pg.Pool;
  /** The worker path's pool (claim, renew, complete, fail, progress); see `PgTarget.workerCommit`. */
  hot: pg.Pool;
  schema: string;
  clock: Clock;
  jobs: JobStatements;
  admin: AdminStatements;
  /** NOTIFY channels: full events, and queue names to wake workers. */
  channels: { events: string; wake: string };
}

/** Builds the statements and channel names of a schema. */
export function makeCtx(pool: pg.Pool, schema: string, clock: Clock, hot: pg.Pool = pool): Ctx {
  // Statement names are per connection; the caller's own client (transactional enqueue) may
  // serve several schemas, so names carry a digest of the schema.
  const p = `g${createHash('sha1').update(schema).digest('hex').slice(0, 10)}`;
  const s = `"${schema}"`;
  return {
    pool,
    hot,
    schema,
    clock,
    jobs: jobStatements(s, p),
    admin: adminStatements(s, p),
    channels: { events: `${schema}_events`, wake: `${schema}_wake` },
  };
}

/** The clock's time as a `Date` parameter. */
export function now(ctx: Ctx): Date {
  return new Date(ctx.clock.now());
}

function shrink(e: GantryEvent): GantryEvent {
  if (e.error && e.error.length > MAX_EVENT_TEXT) e = { ...e, error: `${e.error.slice(0, MAX_EVENT_TEXT)}…` };
  if (e.progress?.message && e.progress.message.length > MAX_EVENT_TEXT) {
    e = { ...e, progress: { ...e.progress, message: `${e.progress.message.slice(0, MAX_EVENT_TEXT)}…` } };
  }
  return e;
}

/**
 * Stores `events` and NOTIFYs them on `db`, and wakes the workers of the queues whose events
 * the core's `wakesWorkers` names — inside the caller's transaction, so listeners hear of a
 * change only when it commits.
 */
export async function emit(ctx: Ctx, db: Queryable, events: GantryEvent[]): Promise<void> {
  if (events.length === 0) return;
  const wake = new Set<string>();
  for (const e of events) if (e.queue !== undefined && wakesWorkers(e)) wake.add(e.queue);
  const data = events.map((e) => JSON.stringify(shrink(e)));
  await run(db, ctx.admin.emit, [data, ctx.channels.events, ctx.channels.wake, [...wake]]);
}
