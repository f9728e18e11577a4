/**
 * Throwaway Redis servers for failure tests: `redis-server` processes of one test file on free
 * loopback ports, in a temporary directory, stopped by pid and started again on the same data
 * and port; and a Redis Cluster of three masters made of such servers.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect } from './engines.js';
import { freePort } from './throwaway-postgres.js';

export { freePort };

/** Why this machine cannot run a throwaway server, or null. */
export function throwawayRedisMissing(): string | null {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'pipe' });
    return null;
  } catch {
    return 'no redis-server on the PATH (apt-get install redis-server)';
  }
}

async function until(fn: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One `redis-server` of a test. */
export class ThrowawayRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'gantry-redis-'));
  private child: ChildProcess | null = null;

  /** `args`: more server options, e.g. `['--appendonly', 'yes']`. */
  constructor(
    readonly port: number,
    private readonly args: string[] = [],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', ...this.args];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    await until(() => canConnect('127.0.0.1', this.port, 200), `redis-server on port ${this.port}`, 10_000);
  }

  /** Stops the server by pid with `signal` and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    this.child = null;
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Redis Cluster of three masters on loopback ports. */
export class ThrowawayCluster {
  readonly servers: ThrowawayRedis[] = [];

  /** The engine URL: the first node, the others as seeds, `cluster=true`. */
  get url(): string {
    const [first, ...rest] = this.servers;
    return `redis://127.0.0.1:${first!.port}/0?cluster=true&nodes=${rest.map((s) => `127.0.0.1:${s.port}`).join(',')}`;
  }

  /** Starts three cluster-enabled servers and joins them with `redis-cli --cluster create`. */
  async start(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const server = new ThrowawayRedis(port, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        `nodes-${port}.conf`,
        '--cluster-node-timeout',
        '2000',
        '--appendonly',
        'no',
      ]);
      await server.start();
      this.servers.push(server);
    }
    execFileSync(
      'redis-cli',
      ['--cluster', 'create', ...this.servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-yes'],
      { stdio: 'pipe' },
    );
    await until(
      () =>
        this.servers.every((s) =>
          execFileSync('redis-cli', ['-p', String(s.port), 'cluster', 'info'], { encoding: 'utf8' }).includes(
            'cluster_state:ok',
          ),
        ),
      'the cluster to be ok',
      20_000,
    );
  }

  /** Stops every server by pid and removes their directories. */
  async destroy(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.destroy()));
  }
}
