/**
 * `gantry server --handlers`: one process serves the API and runs a worker (a whole node). Jobs
 * enqueued over HTTP run in it; SIGTERM lets the running job finish, then exits 0.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fixture, killAll, spawnGantry, tempDb, waitUntil, type Running } from './cli-helpers.js';

const db = tempDb('gantry-server-node-');
const children: Running[] = [];
afterEach(() => killAll(children));
afterAll(() => db.cleanup());

/** Starts a node on a free port; resolves with it and its base URL once it listens. */
async function startNode(...extra: string[]): Promise<{ node: Running; base: string }> {
  const node = spawnGantry([
    '--url',
    db.url,
    'server',
    '--port',
    '0',
    '--handlers',
    fixture('basic-handlers.mjs'),
    '--log-format',
    'pretty',
    ...extra,
  ]);
  children.push(node);
  await waitUntil(() => /gantry server on (http:\S+)/.test(node.stdout), 'the server to listen');
  const base = /gantry server on (http:\S+)/.exec(node.stdout)![1]!;
  return { node, base };
}

async function api<T>(base: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${route}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface JobJson {
  id: string;
  state: string;
  result: unknown;
}

describe('gantry server --handlers', { timeout: 60_000 }, () => {
  it('serves the API and runs the jobs itself; SIGTERM lets the running job finish', async () => {
    const { node, base } = await startNode('--concurrency', '1', '--poll', '100ms');
    expect(node.stdout).toMatch(/worker: 4 handlers, queues default, concurrency 1/);
    type Workers = { workers: { concurrency: number; pid: number }[] };
    await waitUntil(
      async () => (await api<Workers>(base, 'GET', '/workers')).workers.length === 1,
      'the node’s worker to register',
    );
    const { workers } = await api<Workers>(base, 'GET', '/workers');
    expect(workers).toMatchObject([{ concurrency: 1, pid: node.child.pid }]);

    const echo = await api<JobJson>(base, 'POST', '/jobs', { type: 'echo', payload: { n: 1 } });
    await waitUntil(
      async () => (await api<JobJson>(base, 'GET', `/jobs/${echo.id}`)).state === 'completed',
      'the echo job to complete',
    );
    expect(await api<JobJson>(base, 'GET', `/jobs/${echo.id}`)).toMatchObject({ result: { echoed: { n: 1 } } });

    // A job still running at SIGTERM finishes before the node exits.
    const gateFile = path.join(db.dir, 'gate');
    const gated = await api<JobJson>(base, 'POST', '/jobs', {
      type: 'gate',
      payload: { file: gateFile, result: 'finished' },
    });
    await waitUntil(
      async () => (await api<JobJson>(base, 'GET', `/jobs/${gated.id}`)).state === 'running',
      'the gated job to start',
    );
    node.child.kill('SIGTERM');
    await waitUntil(() => /stopping/.test(node.stderr), 'the node to start stopping');
    writeFileSync(gateFile, '');
    const exit = await node.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toMatch(/worker stopped/);

    const { base: again } = await startNode('--no-scheduler');
    expect(await api<JobJson>(again, 'GET', `/jobs/${gated.id}`)).toMatchObject({
      state: 'completed',
      result: 'finished',
    });
  });

  it('stops, exiting non-zero, when its worker cannot start: a node that runs no job is not healthy', async () => {
    const node = spawnGantry(
      ['--url', db.url, 'server', '--port', '0', '--handlers', fixture('basic-handlers.mjs')].concat([
        '--lease',
        '10ms',
      ]),
    );
    children.push(node);
    const exit = await node.exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(/the worker could not start: stopping/);
    expect(exit.stderr).toMatch(/leaseMs must be an integer from 30/);
  });

  it('refuses a handlers module that does not exist before listening', async () => {
    const node = spawnGantry(['--url', db.url, 'server', '--port', '0', '--handlers', 'no-such-handlers.js']);
    children.push(node);
    const exit = await node.exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(/--handlers: no file at/);
    expect(exit.stdout).not.toMatch(/gantry server on/);
  });
});
