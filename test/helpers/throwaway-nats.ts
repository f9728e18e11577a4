/**
 * nats-server processes of a test's own, on free loopback ports with a temporary store: one
 * server, or a cluster of three with JetStream, to restart or kill in the middle of a run.
 * Stopped by their pid, never by name.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canConnect } from './engines.js';
import { freePort } from './throwaway-postgres.js';

/** Why the test cannot start its own nats-server, or null. */
export function throwawayNatsMissing(): string | null {
  const r = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'nats-server is not installed (apt-get install nats-server)';
}

/** One nats-server of the test's own. */
export class ThrowawayNats {
  private child: ChildProcess | null = null;
  readonly dir: string;

  constructor(
    readonly port: number,
    private readonly extra: string[] = [],
    dir?: string,
  ) {
    this.dir = dir ?? mkdtempSync(path.join(tmpdir(), 'gantry-nats-'));
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts it (again, on the same store) and waits until it accepts connections. */
  async start(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir, ...this.extra];
    this.child = spawn('nats-server', args, { stdio: 'ignore' });
    const end = Date.now() + 10_000;
    while (!(await canConnect('127.0.0.1', this.port, 200))) {
      if (Date.now() > end) throw new Error(`nats-server on ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops it by its pid with `signal` and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }

  /** Stops it and removes its store. */
  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A cluster of three JetStream servers on loopback. */
export async function natsCluster(): Promise<ThrowawayNats[]> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const routes = [await freePort(), await freePort(), await freePort()];
  const routeUrls = routes.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const nodes = ports.map(
    (port, i) =>
      new ThrowawayNats(port, [
        '-n',
        `n${i + 1}`,
        '--cluster_name',
        'gantry-test',
        '--cluster',
        `nats://127.0.0.1:${routes[i]}`,
        '--routes',
        routeUrls,
      ]),
  );
  await Promise.all(nodes.map((n) => n.start()));
  return nodes;
}
