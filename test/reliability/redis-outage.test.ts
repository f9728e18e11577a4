/**
 * A Redis server of this test's own goes away (stopped, or frozen with SIGSTOP) and comes back:
 * every call fails within a second with `EngineUnavailableError` meanwhile, the HTTP API and
 * `/readyz` answer 503, and everything works again by itself once Redis is back. And a worker
 * process killed with SIGKILL leaves no registration once its time-to-live has passed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { Client } from '../../src/client/client.js';
import { systemClock } from '../../src/core/clock.js';
import { EngineUnavailableError } from '../../src/core/errors.js';
import { validateEnqueue } from '../../src/core/validate.js';
import { openRedisBackend } from '../../src/engines/redis/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { fixture, killAll, spawnGantry, waitUntil, type Running } from '../cli/cli-helpers.js';
import { freePort, ThrowawayRedis, throwawayRedisMissing } from '../helpers/throwaway-redis.js';

const reason = throwawayRedisMissing();
if (reason) {
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(reason);
  console.warn(`SKIP redis-outage: ${reason}`);
}

/** Every kind of call, each expected to fail with `EngineUnavailableError` within a second. */
async function expectFastFailures(backend: Backend): Promise<void> {
  const calls: [string, () => Promise<unknown>][] = [
    ['enqueue', () => backend.jobsEnqueue({ jobs: [validateEnqueue({ type: 'a.b' }, Date.now())] })],
    ['get', () => backend.jobGet({ id: 'x' })],
    ['claim', () => backend.jobsClaim({ workerId: 'w', queues: ['default'], limit: 5, leaseMs: 1000 })],
    ['complete', () => backend.jobsComplete({ items: [{ id: 'x', workerId: 'w', attempt: 1, result: null }] })],
    ['count', () => backend.jobsCount({})],
    ['health', () => backend.healthCheck()],
  ];
  for (const [name, call] of calls) {
    const started = performance.now();
    const err = await call().then(
      () => null,
      (e: unknown) => e,
    );
    const took = performance.now() - started;
    expect(err, name).toBeInstanceOf(EngineUnavailableError);
    expect(took, `${name} took ${Math.round(took)} ms`).toBeLessThan(1_000);
  }
}

/** Waits until `backend` answers its health check again (it reconnects by itself). */
async function backendAnswers(backend: Backend, what: string): Promise<void> {
  await waitUntil(
    () =>
      backend.healthCheck().then(
        () => true,
        () => false,
      ),
    what,
    { timeoutMs: 10_000, intervalMs: 50 },
  );
}

async function expectApiDown(srv: RunningServer): Promise<void> {
  const list = await fetch(`${srv.url}/api/v1/jobs`);
  expect(list.status).toBe(503);
  expect(((await list.json()) as { error: { code: string } }).error.code).toBe('ENGINE_UNAVAILABLE');
  const enqueue = await fetch(`${srv.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"type":"a.b"}',
  });
  expect(enqueue.status).toBe(503);
  expect((await fetch(`${srv.url}/readyz`)).status).toBe(503);
}

async function expectApiUp(srv: RunningServer): Promise<void> {
  await waitUntil(async () => (await fetch(`${srv.url}/readyz`)).status === 200, 'readyz 200 after the outage', {
    timeoutMs: 10_000,
    intervalMs: 50,
  });
  const enqueue = await fetch(`${srv.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"type":"a.b"}',
  });
  expect(enqueue.status).toBe(201);
}

describe.skipIf(reason !== null)('Redis outages', { timeout: 60_000 }, () => {
  let server: ThrowawayRedis;
  let backend: Backend;
  let srv: RunningServer;
  const children: Running[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'gantry-redis-outage-'));

  beforeAll(async () => {
    server = new ThrowawayRedis(await freePort());
    await server.start();
    backend = await openRedisBackend({ url: server.url, clock: systemClock });
    srv = await startServer({ url: server.url, port: 0, logger: false, env: {}, dashboardDir: null });
  });
  afterAll(async () => {
    killAll(children);
    await srv?.close();
    await backend?.close();
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails fast while Redis is stopped, answers 503, and recovers by itself', async () => {
    await expectApiUp(srv);
    await server.stop('SIGKILL');
    await expectFastFailures(backend);
    await expect(openRedisBackend({ url: server.url, clock: systemClock })).rejects.toBeInstanceOf(
      EngineUnavailableError,
    );
    await expectApiDown(srv);
    await server.start();
    await expectApiUp(srv);
    await backendAnswers(backend, 'the backend to reconnect');
    const client = new Client(backend);
    const job = await client.enqueue('after.outage', { n: 1 });
    expect((await client.get(job.id))?.state).toBe('queued');
  });

  it('fails fast while Redis hangs (SIGSTOP), and recovers when it resumes', async () => {
    // A claim waiting in Redis (docs/redis.md, "Claims on wake-up") whose wait is ended while
    // Redis hangs: its connection is dropped and it fails, instead of waiting on a silent server.
    const admin = new Redis(server.url);
    const ac = new AbortController();
    const claim = { workerId: 'w-hang', queues: ['hang'], limit: 1, leaseMs: 10_000, timeoutMs: 60_000 };
    const waiting = backend.jobsClaimAwait({ ...claim, signal: ac.signal }).then(
      () => null,
      (e: unknown) => e,
    );
    await waitUntil(
      async () =>
        ((await admin.client('LIST')) as string).split('\n').some((l) => /name=gantry-claim:\S+ .*cmd=xread/.test(l)),
      'the claim to wait in Redis',
      { timeoutMs: 5_000, intervalMs: 20 },
    );
    await admin.quit();
    process.kill(server.pid!, 'SIGSTOP');
    try {
      await expectFastFailures(backend);
      await expectApiDown(srv);
      const started = performance.now();
      ac.abort();
      expect(await waiting).toBeInstanceOf(EngineUnavailableError);
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      process.kill(server.pid!, 'SIGCONT');
    }
    await expectApiUp(srv);
    await backendAnswers(backend, 'the backend to answer again');
    // Claims wait in Redis again once it is back.
    const job = await new Client(backend).enqueue('after.hang', {}, { queue: 'hang' });
    let got: string | undefined;
    await waitUntil(
      async () =>
        (got ??= await backend.jobsClaimAwait({ ...claim, timeoutMs: 1_000 }).then(
          (jobs) => jobs[0]?.id,
          () => undefined,
        )) !== undefined,
      'a claim after the hang',
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(got).toBe(job.id);
  });

  it('forgets a worker killed with SIGKILL once its time-to-live has passed', async () => {
    const start = (): Running => {
      const w = spawnGantry(
        [
          '--url',
          server.url,
          'worker',
          '--handlers',
          fixture('recording-handlers.mjs'),
          '--worker-ttl',
          '7s',
          '--maintenance-interval',
          '250ms',
          '--no-scheduler',
          '--log-level',
          'warn',
        ],
        { env: { GANTRY_TEST_RECORD: join(dir, 'record.ndjson') } },
      );
      children.push(w);
      return w;
    };
    const victim = start();
    const survivor = start();
    const ids = async (): Promise<string[]> => (await backend.workersList()).map((w) => w.id);
    const pidOf = (id: string): number => Number(id.split(':')[1]);
    await waitUntil(async () => (await ids()).length === 2, 'both workers to register', { timeoutMs: 20_000 });
    victim.child.kill('SIGKILL');
    await victim.exited;
    const killedAt = Date.now();
    await waitUntil(
      async () => !(await ids()).some((id) => pidOf(id) === victim.child.pid),
      'the victim to be forgotten',
      {
        timeoutMs: 20_000,
        intervalMs: 100,
      },
    );
    // Not before its time-to-live, and the live worker stays registered.
    expect(Date.now() - killedAt).toBeGreaterThan(1_500);
    expect((await ids()).map(pidOf)).toEqual([survivor.child.pid]);
  });
});
