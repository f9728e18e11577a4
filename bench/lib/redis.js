// Redis plumbing of the harness: a fresh key prefix for every run, its keys deleted afterwards,
// and the server's command counters (INFO commandstats) to count commands and scripts per job.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** A fresh prefix for one run of one system. */
export function freshPrefix(system) {
  return `bench-${system}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A short-lived connection to `url`. */
async function withRedis(url, fn) {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    return await fn(r);
  } catch (err) {
    throw new Error(
      `cannot use Redis at ${url.replace(/\/\/[^@/]*@/, '//…@')} (${err.message}); start it or pass --redis-url`,
      {
        cause: err,
      },
    );
  } finally {
    r.disconnect();
  }
}

/** Deletes every key matching `pattern` (a glob). */
export function deleteKeys(url, pattern) {
  return withRedis(url, async (r) => {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.unlink(...keys);
    } while (cursor !== '0');
  });
}

/** The server's version. */
export function redisVersion(url) {
  return withRedis(url, async (r) => /redis_version:(\S+)/.exec(await r.info('server'))?.[1] ?? '?');
}

/**
 * Commands the server has run so far: `commands`, every command (those a script runs
 * included), and `scripts`, the script calls (EVAL, EVALSHA, FCALL) among them.
 */
export function commandCounts(url) {
  return withRedis(url, async (r) => {
    let commands = 0;
    let scripts = 0;
    for (const m of (await r.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      const n = Number(m[2]);
      // The harness's own counter reads and key scans are not the systems' work.
      if (m[1] === 'info') continue;
      commands += n;
      if (/^(eval|evalsha|eval_ro|evalsha_ro|fcall|fcall_ro)$/.test(m[1])) scripts += n;
    }
    return { commands, scripts };
  });
}
