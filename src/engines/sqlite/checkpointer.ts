/**
 * WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the commit
 * that crosses its threshold: it copies the WAL into the database file and syncs both, on the
 * thread that committed, which in Node is the one running the jobs: a large share of the
 * engine's time in a drain (docs/benchmarks.md, "Measurements behind the design").
 *
 * Here the connection's automatic checkpoint is off and a worker thread with its own connection
 * runs a PASSIVE checkpoint every `SQLITE_CHECKPOINT_INTERVAL_MS`: it never blocks a writer,
 * and the writers wrap the WAL around once it has been copied. Durability is unchanged (WAL with
 * `synchronous = NORMAL`: a commit survives a crash of the process). Should the thread fail,
 * the connection's automatic checkpoint is turned back on.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './connection.js';

/** How often the thread checkpoints the WAL, in ms. */
export const SQLITE_CHECKPOINT_INTERVAL_MS = 100;

/** SQLite's own default threshold (pages), restored when the thread fails. */
const AUTOCHECKPOINT_PAGES = 1000;

// The thread's code, as source: it runs the same from the TypeScript sources (tests) and from
// dist/, with no file of its own to find. It loads the driver the engine itself loaded.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
const checkpoint = () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  if (r.checkpointed > 0) parentPort.postMessage({ checkpointed: r.checkpointed });
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** What `startCheckpointer` takes. */
export interface CheckpointerOptions {
  db: Db;
  /** The database file (not `:memory:`). */
  path: string;
  busyTimeoutMs: number;
  intervalMs?: number;
  /** Called with the pages copied by each checkpoint that copied some (tests wait on it). */
  onCheckpoint?: (pages: number) => void;
  /** Called once if the thread fails; the connection checkpoints by itself again by then. */
  onFail?: (err: unknown) => void;
}

/** A running checkpoint thread; `stop` ends it and waits for its connection to close. */
export interface Checkpointer {
  stop(): Promise<void>;
}

/** Turns the connection's automatic checkpoint off and starts the thread that replaces it. */
export function startCheckpointer(o: CheckpointerOptions): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  o.db.pragma('wal_autocheckpoint = 0');
  const thread = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: {
      driver,
      path: o.path,
      busyTimeoutMs: o.busyTimeoutMs,
      intervalMs: o.intervalMs ?? SQLITE_CHECKPOINT_INTERVAL_MS,
    },
  });
  // The thread must not keep a process alive that has nothing else to do.
  thread.unref();
  let stopping = false;
  let failed = false;
  const fail = (err: unknown): void => {
    if (failed || stopping) return;
    failed = true;
    if (o.db.open) o.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    o.onFail?.(err);
  };
  thread.on('message', (m: { checkpointed: number }) => o.onCheckpoint?.(m.checkpointed));
  thread.on('error', fail);
  thread.on('exit', (code) => fail(new Error(`the SQLite checkpoint thread exited with code ${code}`)));
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  return {
    stop() {
      if (!stopping) {
        stopping = true;
        // Held again while it closes: an unreferenced thread would let the process exit here.
        thread.ref();
        if (!failed) thread.postMessage('stop');
      }
      return exited;
    },
  };
}
