/**
 * Opening the SQLite file: URL forms and the pragmas that make one file safe and fast for
 * several processes of one machine (WAL; a busy timeout while opening and migrating, after
 * which `Store.locked` waits for other processes' locks without blocking the event loop).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { EngineUnavailableError, UnsupportedUrlError } from '../../core/errors.js';

/** How long an operation waits for another process's write lock before failing, in real ms. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** The better-sqlite3 connection type. */
export type Db = Database.Database;

/**
 * The file path a URL names: `sqlite:./gantry.db`, `sqlite:/abs/path.db`, `sqlite::memory:`,
 * `sqlite://./rel.db`, `file:./x.db`, `file:///abs/x.db`. A query string is ignored.
 */
export function sqlitePath(url: string): string {
  const m = /^(sqlite|file):(.*)$/i.exec(url);
  if (!m) throw new UnsupportedUrlError(url);
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!.replace(/\?.*$/, '');
  if (rest === ':memory:' || rest === '//:memory:') return ':memory:';
  if (scheme === 'file' && rest.startsWith('//')) return fileURLToPath(`file:${rest}`);
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === '') throw new UnsupportedUrlError(url);
  return path;
}

/**
 * Opens the database with Gantry's pragmas; throws `EngineUnavailableError` when it cannot.
 * `create: false`: a file that does not exist is an error, not a new empty database.
 */
export function openDatabase(url: string, create = true): Db {
  const path = sqlitePath(url);
  if (!create && path !== ':memory:' && !existsSync(path)) throw missingFile(path);
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: !create });
  } catch (cause) {
    if (!create && !existsSync(path)) throw missingFile(path);
    throw new EngineUnavailableError(
      `cannot open SQLite file ${JSON.stringify(path)}: check that its folder exists and is writable`,
      cause,
    );
  }
  // The busy timeout first: switching to WAL itself may wait for another process.
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = OFF');
  return db;
}

function missingFile(path: string): EngineUnavailableError {
  return new EngineUnavailableError(
    `SQLite file ${JSON.stringify(path)} does not exist; check --url or GANTRY_URL ` +
      '(commands that write, such as gantry enqueue, gantry worker or gantry migrate, create it)',
  );
}
