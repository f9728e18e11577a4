/**
 * The PostgreSQL engine: a schema of its own made by versioned migrations, `SKIP LOCKED` batch
 * claims, fenced batch completion, LISTEN/NOTIFY wake-ups and events, and transactional enqueue
 * on the caller's own `pg` client (docs/architecture.md).
 */
import type pg from 'pg';
import type { Backend, BackendCapabilities, BackendOptions } from '../../backend/backend.js';
import { backendOf, opsOn, type EngineOps } from '../../backend/engine-ops.js';
import { systemClock } from '../../core/clock.js';
import { createPool, mapError, parseTarget } from './connection.js';
import { makeCtx } from './context.js';
import type { Engine } from './engine.js';
import * as events from './events.js';
import * as admin from './jobs-admin.js';
import * as claim from './jobs-claim.js';
import { jobsEnqueue } from './jobs-enqueue.js';
import * as query from './jobs-query.js';
import * as stats from './jobs-stats.js';
import { Listener } from './listener.js';
import { ensureSchema, migrate } from './migrate.js';
import { explainOpenError } from './open-errors.js';
import * as queues from './queues.js';
import * as schedules from './schedules.js';
import * as workers from './workers.js';

/** What the PostgreSQL engine can do (see `BackendCapabilities`). */
export const POSTGRES_CAPABILITIES: Readonly<BackendCapabilities> = {
  transactionalEnqueue: true,
  pushWakeups: true,
  eventReplay: true,
  multiProcess: true,
  localClaims: false,
  claimOrder: 'total',
  claimOnWake: false,
};

/** A PostgreSQL `Backend`, with its pools and listener for tools and tests. */
export type PostgresBackend = Backend & {
  /** The schema it uses. */
  readonly schema: string;
  /** The pool (tests and tools may run their own queries on it). */
  readonly pool: pg.Pool;
  /** The worker path's pool: its sessions' settings differ (see `createPool`). */
  readonly hot: pg.Pool;
  /** The LISTEN connection. */
  readonly listener: Listener;
};

/** Opening, health and closing. */
const lifecycle = {
  schemaMigrate: (e: Engine) => migrate(e.ctx.pool, e.ctx.schema, e.ctx.clock),
  healthCheck: async (e: Engine) => {
    await e.ctx.pool.query('SELECT 1').catch(mapError);
  },
  close: (e: Engine) => {
    e.closing ??= (async () => {
      await e.listener.close();
      await e.ctx.pool.end().catch(() => undefined);
      if (e.ctx.hot !== e.ctx.pool) await e.ctx.hot.end().catch(() => undefined);
    })();
    return e.closing;
  },
};

/** Every operation (see `backendOf`). */
const OPS: EngineOps<Engine> = {
  ...lifecycle,
  ...events,
  ...opsOn((e: Engine) => e.ctx, {
    jobsEnqueue,
    ...query,
    ...claim,
    ...admin,
    ...stats,
    ...queues,
    ...workers,
    ...schedules,
  }),
};

/**
 * Opens the PostgreSQL engine for a `postgres://` or `postgresql://` URL. The schema is
 * `options.namespace`, else the URL's `?schema=`, else `gantry`. A schema that is behind is
 * migrated (or refused when `migrate: false`); one that is ahead is refused.
 */
export async function openPostgresBackend(options: BackendOptions): Promise<PostgresBackend> {
  const target = parseTarget(options.url, options.namespace);
  const clock = options.clock ?? systemClock;
  const pool = createPool(target);
  const ctx = makeCtx(pool, target.schema, clock, createPool(target, true));
  const engine: Engine = { ctx, listener: new Listener(ctx, target.connectionString, clock), closing: null };
  const backend = backendOf({ name: 'postgres', capabilities: POSTGRES_CAPABILITIES, clock }, engine, OPS);
  try {
    await ensureSchema(pool, target.schema, clock, options.migrate !== false);
    await engine.listener.start();
  } catch (err) {
    await backend.close();
    throw explainOpenError(err, target.connectionString);
  }
  return Object.assign(backend, { schema: target.schema, pool, hot: ctx.hot, listener: engine.listener });
}
