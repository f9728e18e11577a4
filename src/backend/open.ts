/**
 * Opens the engine a URL names. Engines are loaded with a dynamic `import()` so a driver
 * (`pg`, `ioredis`, …) loads only when its engine is used.
 */
import { DEFAULT_URL } from '../core/constants.js';
import { UnsupportedUrlError } from '../core/errors.js';
import type { Backend, BackendOptions } from './backend.js';

/** The engine name a URL selects, or `null`. */
export function engineOf(url: string): 'sqlite' | 'postgres' | 'nats' | 'redis' | null {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'sqlite':
    case 'file':
      return 'sqlite';
    case 'postgres':
    case 'postgresql':
      return 'postgres';
    case 'nats':
    case 'tls':
      return 'nats';
    case 'redis':
    case 'rediss':
      return 'redis';
    default:
      return null;
  }
}

/** Opens (and by default migrates) the backend for `options.url` (default `sqlite:./gantry.db`). */
export async function openBackend(options: Partial<BackendOptions> = {}): Promise<Backend> {
  const url = options.url ?? process.env.GANTRY_URL ?? DEFAULT_URL;
  const opts: BackendOptions = { ...options, url };
  switch (engineOf(url)) {
    case 'sqlite':
      return (await import('../engines/sqlite/index.js')).openSqliteBackend(opts);
    case 'postgres':
      return (await import('../engines/postgres/index.js')).openPostgresBackend(opts);
    case 'nats':
      return (await import('../engines/nats/index.js')).openNatsBackend(opts);
    case 'redis':
      return (await import('../engines/redis/index.js')).openRedisBackend(opts);
    default:
      throw new UnsupportedUrlError(url);
  }
}
