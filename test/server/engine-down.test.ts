/**
 * 503 while the engine is unreachable, then recovery without restarting the server: a SQLite
 * file that cannot be opened (its folder is a plain file) until it can, and a real PostgreSQL
 * behind a TCP proxy that the test cuts and restores mid-run.
 */
import net from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { body } from './helpers.js';

async function expectDown(srv: RunningServer): Promise<void> {
  const list = await fetch(`${srv.url}/api/v1/jobs`);
  expect(list.status).toBe(503);
  expect(list.headers.get('retry-after')).toBeTruthy();
  expect((await body(list)).error.code).toBe('ENGINE_UNAVAILABLE');
  const enqueue = await fetch(`${srv.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"type":"a.b"}',
  });
  expect(enqueue.status).toBe(503);
  expect((await fetch(`${srv.url}/readyz`)).status).toBe(503);
  expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  expect(metrics).toMatch(/^gantry_engine_up 0$/m);
}

async function expectUp(srv: RunningServer): Promise<void> {
  expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
  const enqueue = await fetch(`${srv.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"type":"a.b"}',
  });
  expect(enqueue.status).toBe(201);
  const { id } = await body(enqueue);
  expect((await body(await fetch(`${srv.url}/api/v1/jobs/${id}`))).state).toBe('queued');
}

describe('SQLite unreachable at start', () => {
  it('starts, answers 503, and works once the file can be opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-down-'));
    const blocker = join(dir, 'data');
    writeFileSync(blocker, 'not a folder');
    const srv = await startServer({
      url: `sqlite:${join(blocker, 'gantry.db')}`,
      port: 0,
      logger: false,
      env: {},
      dashboardDir: null,
    });
    try {
      await expectDown(srv);
      rmSync(blocker);
      mkdirSync(blocker);
      await expectUp(srv);
    } finally {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start with an engine URL it cannot know', async () => {
    await expect(
      startServer({ url: 'mysql://x', port: 0, logger: false, env: {}, dashboardDir: null }),
    ).rejects.toThrow(/cannot open/);
  });
});

/** A TCP proxy to PostgreSQL that can be cut (refusing and dropping connections) and restored. */
class CuttableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const up = net.connect(this.target);
      for (const s of [client, up]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      client.pipe(up).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

describe('PostgreSQL cut mid-run', () => {
  it('answers 503 while the connection is cut and recovers by itself', async () => {
    if (!(await engineAvailable('postgres'))) return;
    const target = new URL(TEST_URLS.postgres);
    const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port) });
    await proxy.start();
    const schema = `server_down_${process.pid}_${Date.now()}`;
    const url = `postgres://${target.username}@127.0.0.1:${proxy.port}${target.pathname}`;
    const srv = await startServer({ url, namespace: schema, port: 0, logger: false, env: {}, dashboardDir: null });
    try {
      await expectUp(srv);
      await proxy.cut();
      await expectDown(srv);
      await proxy.start();
      await expectUp(srv);
    } finally {
      await srv.close();
      await proxy.cut().catch(() => undefined);
      const admin = new pg.Client({ connectionString: TEST_URLS.postgres });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
