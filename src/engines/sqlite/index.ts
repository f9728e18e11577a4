/**
 * The embedded SQLite engine: one file in WAL mode, shared safely by several processes of one
 * machine. Claims are single `BEGIN IMMEDIATE` transactions (SQLite has one writer at a time, so
 * no `SKIP LOCKED` is needed); wake-ups and events are in-process at once and cross-process
 * through a tailed event table (docs/architecture.md).
 */
import { resolve } from 'node:path';
import type { Backend, BackendCapabilities, BackendOptions } from '../../backend/backend.js';
import { backendOf, opsOn, type EngineOps } from '../../backend/engine-ops.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { EngineUnavailableError } from '../../core/errors.js';
import { startCheckpointer, type Checkpointer } from './checkpointer.js';
import { openDatabase, SQLITE_BUSY_TIMEOUT_MS, type Db } from './connection.js';
import { EventHub } from './event-hub.js';
import * as events from './events.js';
import * as admin from './jobs-admin.js';
import * as claim from './jobs-claim.js';
import { jobsEnqueue } from './jobs-enqueue.js';
import * as query from './jobs-query.js';
import * as stats from './jobs-stats.js';
import { assertSchemaCurrent, migrate } from './migrate.js';
import * as queues from './queues.js';
import * as schedules from './schedules.js';
import { prepareStatements } from './statements.js';
import { Store } from './store.js';
import * as workers from './workers.js';

export { sqlitePath } from './connection.js';

/** What the SQLite engine can do (see `BackendCapabilities`). */
export const SQLITE_CAPABILITIES: Readonly<BackendCapabilities> = {
  transactionalEnqueue: false,
  pushWakeups: true,
  eventReplay: true,
  multiProcess: true,
  localClaims: true,
  claimOrder: 'total',
  claimOnWake: false,
};

/** The SQLite engine's state: the store and the WAL checkpoint thread. */
interface Engine {
  s: Store;
  checkpointer: Checkpointer | undefined;
  closed: boolean;
}

/** Opening, health and closing. */
const lifecycle = {
  schemaMigrate: (e: Engine) => migrate(e.s.db, e.s.now()),
  healthCheck: (e: Engine) => {
    if (e.closed || !e.s.db.open) throw new EngineUnavailableError('the SQLite backend is closed; open it again');
    e.s.db.prepare('SELECT 1').get();
  },
  close: async (e: Engine) => {
    if (e.closed) return;
    e.closed = true;
    e.s.hub.close();
    await e.checkpointer?.stop();
    e.s.db.close();
  },
};

/** Every operation, each on the engine's store (see `backendOf`). */
const OPS: EngineOps<Engine> = {
  ...lifecycle,
  ...opsOn((e: Engine) => e.s, events),
  ...opsOn((e: Engine) => e.s, {
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
 * Opens the SQLite engine at `options.url`. Migrates the schema unless `options.migrate` is
 * false, in which case a schema that is not current is a `MigrationError`.
 */
export async function openSqliteBackend(options: BackendOptions): Promise<Backend> {
  const clock: Clock = options.clock ?? systemClock;
  const db: Db = openDatabase(options.url, options.create !== false);
  try {
    if (options.migrate === false) assertSchemaCurrent(db);
    else migrate(db, clock.now());
    // From here on a locked file fails at once and `Store.locked` waits without blocking the event loop.
    db.pragma('busy_timeout = 0');
    // An in-memory database has no WAL to checkpoint.
    const checkpointer = db.memory
      ? undefined
      : // Absolute: the process may change its working directory while the thread runs.
        startCheckpointer({ db, path: resolve(db.name), busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS });
    const st = prepareStatements(db);
    const s = new Store(db, st, clock, new EventHub(st, clock));
    const engine: Engine = { s, checkpointer, closed: false };
    return backendOf({ name: 'sqlite', capabilities: SQLITE_CAPABILITIES, clock }, engine, OPS, (op) => s.locked(op));
  } catch (err) {
    db.close();
    throw err;
  }
}
