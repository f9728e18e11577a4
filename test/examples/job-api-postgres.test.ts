/**
 * examples/job-api-postgres, end to end on a real PostgreSQL: the seed script, two nodes
 * (`gantry server --handlers … --concurrency 1 --prefetch 0`) on two ports, the REST API, and a
 * node killed mid-job whose job the other node finishes. The lease is 2 s so that runs fast.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { exampleDir, http, killAll, serverUrl, spawnGantry, spawnNode, waitUntil, type Running } from './helpers.js';

const DIR = exampleDir('job-api-postgres');
const schema = `ex_jobapi_${randomBytes(4).toString('hex')}`;
const url = `${TEST_URLS.postgres}?schema=${schema}`;
const pgUp = await engineAvailable('postgres');
const children: Running[] = [];

interface JobJson {
  id: string;
  state: string;
  priority: number;
  attempts: number;
  workerId: string | null;
  startedAt: string | null;
  progress: { percent: number } | null;
}

/** Starts one node of the example on a free port; resolves with it and its API base. */
async function startNode(): Promise<{ node: Running; api: string }> {
  const node = spawnGantry(
    ['server', '--port', '0', '--handlers', './handlers.js', '--concurrency', '1', '--prefetch', '0'].concat([
      '--lease',
      '2s',
      '--poll',
      '200ms',
      '--maintenance-interval',
      '200ms',
      '--log-level',
      'warn',
    ]),
    { cwd: DIR, env: { GANTRY_URL: url } },
  );
  children.push(node);
  await waitUntil(() => serverUrl(node) !== null, 'a node to listen', { timeoutMs: 30_000 });
  return { node, api: `${serverUrl(node)!}/api/v1` };
}

const job = async (api: string, id: string): Promise<JobJson> => (await http<JobJson>(api, 'GET', `/jobs/${id}`)).body;

async function untilState(api: string, id: string, state: string): Promise<JobJson> {
  await waitUntil(async () => (await job(api, id)).state === state, `job ${id} to be ${state}`, { timeoutMs: 40_000 });
  return job(api, id);
}

afterAll(async () => {
  killAll(children);
  if (!pgUp) return;
  const admin = new pg.Client({ connectionString: TEST_URLS.postgres });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

describe.skipIf(!pgUp)('examples/job-api-postgres', { timeout: 120_000 }, () => {
  let a: { node: Running; api: string };
  let b: { node: Running; api: string };

  beforeAll(async () => {
    const seed = spawnNode('seed.js', [], { cwd: DIR, env: { GANTRY_URL: url, DEMO_STEP_MS: '50' } });
    const seeded = await seed.exited;
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(seeded.stdout.match(/^enqueued demo-/gm)).toHaveLength(5);
    const again = await spawnNode('seed.js', [], { cwd: DIR, env: { GANTRY_URL: url } }).exited;
    expect(again.stdout).toMatch(/enqueued on an earlier start/);
  }, 60_000);

  it('two nodes run the demo jobs one at a time each, high priority first, printing progress', async () => {
    a = await startNode();
    b = await startNode();
    const ids = ['demo-high-1', 'demo-high-2', 'demo-high-3', 'demo-regular-1', 'demo-regular-2'];
    for (const id of ids) await untilState(a.api, id, 'completed');
    const done = await Promise.all(ids.map((id) => job(b.api, id)));
    const started = (j: JobJson): number => Date.parse(j.startedAt!);
    const lastHigh = Math.max(...done.slice(0, 3).map(started));
    const firstRegular = Math.min(...done.slice(3).map(started));
    expect(lastHigh).toBeLessThanOrEqual(firstRegular);
    // Output comes through pipes, maybe after the API says completed: wait for it.
    const lines = ids.flatMap((id) => Array.from({ length: 10 }, (_, i) => `Job ${id} progress: ${(i + 1) * 10}%`));
    await waitUntil(
      () => lines.every((l) => (a.node.stdout + b.node.stdout).includes(l)),
      'every progress line on the nodes’ output',
    );
    // Both nodes answer the same API, and registered one worker each, of concurrency 1.
    const workers = (await http<{ workers: { concurrency: number; pid: number }[] }>(b.api, 'GET', '/workers')).body;
    expect(workers.workers.map((w) => w.pid).sort()).toEqual([a.node.child.pid, b.node.child.pid].sort());
    expect(workers.workers.every((w) => w.concurrency === 1)).toBe(true);
    const docs = await fetch(`${serverUrl(a.node)!}/docs/`);
    expect(docs.status).toBe(200);
  });

  it('stops a running job, restarts a failed one and deletes finished ones over REST', async () => {
    const long = (await http<JobJson>(a.api, 'POST', '/jobs', { type: 'demo', payload: { stepMs: 5000 } })).body;
    await untilState(a.api, long.id, 'running');
    expect((await http<JobJson>(b.api, 'POST', `/jobs/${long.id}/cancel`)).status).toBe(200);
    expect((await job(a.api, long.id)).state).toBe('cancelled');

    const flaky = (
      await http<JobJson>(a.api, 'POST', '/jobs', {
        type: 'demo',
        payload: { failOnce: true, stepMs: 20 },
        maxAttempts: 1,
      })
    ).body;
    await untilState(a.api, flaky.id, 'failed');
    expect((await http<JobJson>(b.api, 'POST', `/jobs/${flaky.id}/retry`)).status).toBe(200);
    await untilState(a.api, flaky.id, 'completed');

    for (const id of ['demo-high-1', 'demo-regular-1', flaky.id]) {
      expect((await http(a.api, 'DELETE', `/jobs/${id}`)).status).toBe(204);
      expect((await http(b.api, 'GET', `/jobs/${id}`)).status).toBe(404);
    }
  });

  it('a node killed mid-job: the other finishes the job after the lease', async () => {
    const slow = (await http<JobJson>(a.api, 'POST', '/jobs', { type: 'demo', payload: { stepMs: 300 } })).body;
    await waitUntil(async () => ((await job(a.api, slow.id)).progress?.percent ?? 0) >= 20, 'the job to make progress');
    const running = await job(a.api, slow.id);
    const [victim, survivor] = running.workerId!.includes(`:${a.node.child.pid}:`) ? [a, b] : [b, a];
    victim.node.child.kill('SIGKILL');
    await victim.node.exited;
    const done = await untilState(survivor.api, slow.id, 'completed');
    expect(done.attempts).toBe(2);
    expect(done.workerId).toContain(`:${survivor.node.child.pid}:`);
    await waitUntil(
      () => survivor.node.stdout.includes(`Job ${slow.id} progress: 100%`),
      'the survivor to print the end of the job',
    );
  });
});
