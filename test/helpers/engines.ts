/**
 * Which engines the tests can reach. With `CI` unset, a suite whose engine is down is
 * skipped with a line saying how to start it; with `CI=true` it fails.
 */
import net from 'node:net';

/** How to start each engine on this kind of machine. */
export const START_HINTS: Record<string, string> = {
  postgres:
    'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or run scripts/services.sh)',
  redis:
    'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no (or run scripts/services.sh)',
  nats: 'start it with: nats-server -a 127.0.0.1 -p 4222 -js (or run scripts/services.sh)',
};

/** The URL tests use for each engine (overridable by env). */
export const TEST_URLS = {
  postgres: process.env.GANTRY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redis: process.env.GANTRY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  nats: process.env.GANTRY_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
};

/** True when a TCP connection to host:port opens within `timeoutMs`. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves true when the engine is reachable. When it is not: under CI throws (the suite
 * fails), otherwise prints how to start it and resolves false (the caller skips).
 */
export async function engineAvailable(engine: keyof typeof TEST_URLS): Promise<boolean> {
  const u = new URL(TEST_URLS[engine]);
  const ok = await canConnect(u.hostname, Number(u.port));
  if (ok) return true;
  const msg = `${engine} is not reachable at ${u.host}; ${START_HINTS[engine]}`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(msg);
  console.warn(`SKIP ${msg}`);
  return false;
}
