/**
 * Failures of opening the PostgreSQL engine that the server names in its own words, turned
 * into errors that say what is wrong with the URL and how to fix it.
 */
import { EngineUnavailableError } from '../../core/errors.js';

/** SQLSTATE `invalid_catalog_name`: the database the URL names does not exist. */
const NO_SUCH_DATABASE = '3D000';

/** `err` with a message that says what to do, when it is one of the failures above; else `err`. */
export function explainOpenError(err: unknown, connectionString: string): unknown {
  if ((err as { code?: unknown } | null)?.code !== NO_SUCH_DATABASE) return err;
  const u = new URL(connectionString);
  const user = decodeURIComponent(u.username) || process.env.PGUSER || 'the current OS user';
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || user;
  const host = u.hostname || 'localhost';
  const port = u.port || '5432';
  const createdb = `createdb -h ${host} -p ${port}${u.username ? ` -U ${decodeURIComponent(u.username)}` : ''} ${database}`;
  return new EngineUnavailableError(
    `PostgreSQL database ${JSON.stringify(database)} does not exist on ${host}:${port}; create it with ` +
      `\`${createdb}\` (or CREATE DATABASE ${JSON.stringify(database)} as a user allowed to), ` +
      'or point GANTRY_URL at a database that exists',
    err,
  );
}
