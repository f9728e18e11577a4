/**
 * Restart a PostgreSQL server (a throwaway one of this test's own, on a free loopback port)
 * while workers drain jobs: they reconnect, maintenance recovers the jobs whose results were
 * lost with the connection, and every job still completes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, chownSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import { systemClock } from '../../src/core/clock.js';
import { openPostgresBackend } from '../../src/engines/postgres/index.js';
import { Maintenance } from '../../src/maintenance/maintenance.js';
import { Worker } from '../../src/worker/worker.js';

const BIN = '/usr/lib/postgresql/15/bin';
const JOBS = 400;

/** Why this machine cannot run the test, or null. */
function missing(): string | null {
  if (!existsSync(join(BIN, 'initdb'))) return `no PostgreSQL 15 binaries in ${BIN} (apt-get install postgresql-15)`;
  if (process.getuid?.() !== 0) return 'needs root to run the throwaway server as the postgres OS user';
  return null;
}

const reason = missing();
if (reason) {
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(reason);
  console.warn(`SKIP postgres-restart: ${reason}`);
}

const asPostgres = (cmd: string, args: string[]): string =>
  execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args], { encoding: 'utf8', stdio: 'pipe' });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(fn: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A throwaway server: initdb into a temp dir owned by postgres, started with pg_ctl, stopped by pid. */
class ThrowawayPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'gantry-pg-'));
  readonly data = join(this.dir, 'data');
  pid = 0;
  constructor(readonly port: number) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(this.dir, uid, gid);
    asPostgres('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  }
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  start(): void {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
    asPostgres('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'log'), '-w', '-o', opts, 'start']);
    this.pid = Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }
  /** Stops the server by its pid: SIGQUIT is an immediate (crash-like) stop, SIGINT a fast one. */
  async stop(signal: 'SIGQUIT' | 'SIGINT'): Promise<void> {
    if (!this.pid || !alive(this.pid)) return;
    process.kill(this.pid, signal);
    const pid = this.pid;
    await until(() => !alive(pid), 'postgres to stop', 20_000);
  }
  async destroy(): Promise<void> {
    await this.stop('SIGINT');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe.skipIf(reason !== null)('postgres restart', () => {
  let server: ThrowawayPostgres | undefined;
  afterAll(async () => {
    await server?.destroy();
  });

  it('workers reconnect after a server restart and every job completes', { timeout: 60_000 }, async () => {
    server = new ThrowawayPostgres(await freePort());
    server.start();
    const open = (): Promise<Backend> => openPostgresBackend({ url: server!.url, clock: systemClock });
    const producer = await open();
    const client = new Client(producer);
    for (let i = 0; i < JOBS; i += 100) {
      await client.enqueueMany(Array.from({ length: 100 }, (_, k) => ({ type: 'work', payload: { n: i + k } })));
    }
    let ran = 0;
    let errors = 0;
    const backends = await Promise.all([open(), open(), open()]);
    const workers = backends.slice(0, 2).map(
      (backend) =>
        new Worker({
          backend,
          clock: systemClock,
          concurrency: 5,
          pollMs: 100,
          leaseMs: 1500,
          heartbeatMs: 500,
          shutdownTimeoutMs: 2000,
          handlers: {
            work: async (job) => {
              await new Promise((r) => setTimeout(r, 5));
              ran++;
              return job.payload;
            },
          },
        }),
    );
    for (const w of workers) {
      w.on('error', () => void errors++); // connection errors while the server is down are expected
      await w.start();
    }
    const maintenance = new Maintenance({ backend: backends[2]!, clock: systemClock, intervalMs: 200, leaseMs: 1000 });
    maintenance.start();

    const completed = async (): Promise<number> =>
      (await producer.jobsCount({ queues: ['default'] }).catch(() => null))?.default?.completed ?? -1;
    await until(async () => (await completed()) >= JOBS / 4, 'a quarter of the jobs to complete', 20_000);
    await server.stop('SIGQUIT');
    server.start();
    await until(async () => (await completed()) === JOBS, 'every job to complete after the restart', 40_000);

    expect(errors).toBeGreaterThan(0); // the restart did hit the workers
    expect(ran).toBeGreaterThanOrEqual(JOBS);
    await Promise.all(workers.map((w) => w.stop()));
    await maintenance.stop();
    await Promise.all([producer, ...backends].map((b) => b.close()));
  });
});
