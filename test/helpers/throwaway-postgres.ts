/**
 * A throwaway PostgreSQL server for failure tests: initdb into a temporary directory owned by
 * the postgres OS user, started with pg_ctl on a free loopback port, stopped by pid or by
 * `pg_ctl stop -m fast|immediate`, started again on the same data and port.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';

/** Why this machine cannot run a throwaway server, or null. */
export function throwawayPostgresMissing(): string | null {
  if (!existsSync(join(BIN, 'initdb'))) return `no PostgreSQL 15 binaries in ${BIN} (apt-get install postgresql-15)`;
  if (process.getuid?.() !== 0) return 'needs root to run the throwaway server as the postgres OS user';
  return null;
}

const asPostgres = (cmd: string, args: string[]): string =>
  execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args], { encoding: 'utf8', stdio: 'pipe' });

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
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

async function until(fn: () => boolean, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A throwaway server of one test file. */
export class ThrowawayPostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'gantry-pg-'));
  readonly data = join(this.dir, 'data');
  pid = 0;
  constructor(readonly port: number) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(this.dir, uid, gid);
    asPostgres('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  }
  /** The URL of its `postgres` database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  /** Starts it (again) and waits until it accepts connections. */
  start(): void {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
    asPostgres('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'log'), '-w', '-o', opts, 'start']);
    this.pid = Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  }
  /** Stops it by its pid: SIGQUIT is an immediate (crash-like) stop, SIGINT a fast one. */
  async stop(signal: 'SIGQUIT' | 'SIGINT'): Promise<void> {
    if (!this.pid || !alive(this.pid)) return;
    process.kill(this.pid, signal);
    const pid = this.pid;
    await until(() => !alive(pid), 'postgres to stop', 20_000);
  }
  /** `pg_ctl stop -m <mode>`: fast disconnects every session, immediate is a crash without shutdown. */
  pgCtlStop(mode: 'fast' | 'immediate'): void {
    asPostgres('pg_ctl', ['-D', this.data, '-m', mode, '-w', 'stop']);
  }
  /** Stops it and removes its files. */
  async destroy(): Promise<void> {
    await this.stop('SIGINT');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
