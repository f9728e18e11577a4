/**
 * examples/delayed-register, end to end on a redis-server of this file's own (a free loopback
 * port, append-only file on, so it can be stopped and started again on the same data): the
 * Fastify app and `gantry worker` as real processes. Bearer token and input checks; a message
 * printed after its delay; 503 while Redis is down and recovery without a restart; a SIGKILLed
 * worker dropped from `gantry workers ls` by the other's maintenance. Short delays and a 3 s
 * worker TTL keep it to seconds.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gantryJson } from '../cli/cli-helpers.js';
import { ThrowawayRedis, freePort, throwawayRedisMissing } from '../helpers/throwaway-redis.js';
import { exampleDir, killAll, spawnGantry, spawnNode, waitUntil, type Running } from './helpers.js';

const DIR = exampleDir('delayed-register');
const TOKEN = `t-${randomBytes(8).toString('hex')}`;
const ROUTE = '/api/dm-jobqueue/register';

/** Whether this machine can start a redis-server; under CI it must. */
function redisServerUsable(): boolean {
  const missing = throwawayRedisMissing();
  if (missing === null) return true;
  const msg = `${missing}; this test starts its own redis-server on a free loopback port`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(msg);
  console.warn(`SKIP examples/delayed-register: ${msg}`);
  return false;
}

const usable = redisServerUsable();
const children: Running[] = [];
let redis: ThrowawayRedis | null = null;

interface JobJson {
  id: string;
  state: string;
  maxAttempts: number;
  runAt: string;
  createdAt: string;
}

/** A POST to the register route with `token` (none: no Authorization header). */
async function register(base: string, body: unknown, token: string | null = TOKEN) {
  const res = await fetch(`${base}${ROUTE}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** Starts `gantry worker` on the example's handlers with a short TTL, quick maintenance and polling. */
function startWorker(url: string): Running {
  const w = spawnGantry(
    [
      'worker',
      '--handlers',
      './handlers.js',
      '--worker-ttl',
      '3s',
      '--maintenance-interval',
      '200ms',
      '--poll',
      '200ms',
    ],
    { cwd: DIR, env: { GANTRY_URL: url, TZ: 'UTC' } },
  );
  children.push(w);
  return w;
}

/** The pids `gantry workers ls` lists. */
async function listedPids(url: string): Promise<number[]> {
  return (await gantryJson<{ pid: number }[]>(url, ['workers', 'ls'])).map((w) => w.pid);
}

/** The `[YYYY-MM-DD hh:mm:ss]` stamp the worker printed before `message`, as ms (UTC), or null. */
function printedAt(w: Running, message: string): number | null {
  const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^\\[(\\d{4}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d)\\] ${escaped}$`, 'm').exec(w.stdout);
  return m ? Date.parse(`${m[1]}T${m[2]}Z`) : null;
}

afterAll(async () => {
  killAll(children);
  await redis?.destroy();
});

describe.skipIf(!usable)('examples/delayed-register on Redis', { timeout: 90_000 }, () => {
  let base = '';
  let url = '';
  let worker: Running;

  beforeAll(async () => {
    redis = new ThrowawayRedis(await freePort(), ['--appendonly', 'yes']);
    await redis.start();
    url = redis.url;
    const port = await freePort();
    const app = spawnNode('app.js', [], { cwd: DIR, env: { GANTRY_URL: url, API_TOKEN: TOKEN, PORT: String(port) } });
    children.push(app);
    worker = startWorker(url);
    await waitUntil(() => app.stdout.includes('listening on'), `the app to listen (${app.stderr})`);
    base = `http://127.0.0.1:${port}`;
  });

  it('refuses a missing or wrong bearer token (401) and bad input (400, naming the field)', async () => {
    expect((await register(base, { message: 'x' }, null)).status).toBe(401);
    expect((await register(base, { message: 'x' }, 'wrong')).status).toBe(401);
    const bad: [unknown, RegExp][] = [
      [{}, /^message: required$/],
      [{ message: '' }, /message/],
      [{ message: 'x', delay_seconds: -1 }, /delay_seconds/],
      [{ message: 'x', delay_seconds: '5' }, /delay_seconds/],
      [{ message: 'x', max_retry: 1.5 }, /max_retry/],
      [{ message: 'x', delay: 5 }, /^delay: unknown field/],
    ];
    for (const [body, field] of bad) {
      const r = await register(base, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message).toMatch(field);
    }
  });

  it('registers with the defaults: 180 s delay, 10 retries', async () => {
    const r = await register(base, { message: 'default delay' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ job_id: expect.any(String), status: 'registered' });
    const job = await gantryJson<JobJson>(url, ['jobs', 'show', r.body.job_id!]);
    expect(job.state).toBe('scheduled');
    expect(job.maxAttempts).toBe(11);
    expect(Date.parse(job.runAt) - Date.parse(job.createdAt)).toBe(180_000);
  });

  it('the worker prints [YYYY-MM-DD hh:mm:ss] <message> once the delay is over', async () => {
    const message = `hello ${randomBytes(4).toString('hex')}`;
    const before = Date.now();
    const r = await register(base, { message, delay_seconds: 1, max_retry: 2 });
    expect(r.status).toBe(201);
    await waitUntil(() => printedAt(worker, message) !== null, 'the worker to print the message');
    // Printed no earlier than the second in which the delay ended.
    expect(printedAt(worker, message)).toBeGreaterThanOrEqual(Math.floor((before + 1000) / 1000) * 1000);
    expect((await gantryJson<JobJson>(url, ['jobs', 'show', r.body.job_id!])).maxAttempts).toBe(3);
  });

  it('answers 503 while Redis is stopped and recovers by itself once it is back', async () => {
    const kept = `kept ${randomBytes(4).toString('hex')}`;
    expect((await register(base, { message: kept, delay_seconds: 1 })).status).toBe(201);
    await redis!.stop();
    const down = await register(base, { message: 'while down', delay_seconds: 0 });
    expect(down.status).toBe(503);
    expect(down.body.message).toMatch(/Redis is unreachable/);
    await redis!.start();
    const after = `after ${randomBytes(4).toString('hex')}`;
    // Neither the app nor the worker is restarted: both reconnect.
    await waitUntil(
      async () => (await register(base, { message: after, delay_seconds: 0 })).status === 201,
      'the endpoint to accept again',
    );
    await waitUntil(() => printedAt(worker, after) !== null, 'the worker to print the message sent after the outage');
    await waitUntil(() => printedAt(worker, kept) !== null, 'the worker to print the message kept through the outage');
  });

  it('a SIGKILLed worker is dropped from `gantry workers ls` once its 3 s TTL has passed; the live one stays', async () => {
    const doomed = startWorker(url);
    await waitUntil(async () => (await listedPids(url)).includes(doomed.child.pid!), 'the second worker to register');
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    await waitUntil(
      async () => !(await listedPids(url)).includes(doomed.child.pid!),
      'the killed worker to be dropped',
    );
    expect(await listedPids(url)).toEqual([worker.child.pid]);
  });
});
