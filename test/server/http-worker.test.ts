/**
 * A worker written with `fetch` only (no Gantry import in `runFetchWorker`) processes jobs
 * enqueued through the API, reports progress, and is fenced; a vanished HTTP worker's job is
 * recovered after its lease by maintenance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { Maintenance } from '../../src/maintenance/maintenance.js';
import { TOKENS, body, startTestServer, type TestServer } from './helpers.js';

/** A complete HTTP worker in plain fetch: claim, progress, heartbeat, complete or fail. */
async function runFetchWorker(
  base: string,
  token: string,
  opts: { types: string[]; until: () => boolean },
): Promise<number> {
  const call = async (path: string, json: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: (await res.json()) as any };
  };
  let done = 0;
  while (!opts.until()) {
    const claim = await call('/claims', { types: opts.types, limit: 2, waitMs: 2000, worker: 'fetch-worker-1' });
    if (claim.status !== 200) throw new Error(`claim answered ${claim.status}`);
    for (const job of claim.body.jobs) {
      const fence = { worker: claim.body.workerId, attempt: job.attempts };
      await call(`/jobs/${job.id}/progress`, { ...fence, percent: 50, message: 'half way' });
      await call(`/jobs/${job.id}/heartbeat`, fence);
      const result =
        job.payload.n < 0
          ? await call(`/jobs/${job.id}/fail`, { ...fence, error: { message: 'negative' }, retryable: false })
          : await call(`/jobs/${job.id}/complete`, { ...fence, result: { doubled: job.payload.n * 2 } });
      if (result.status !== 200) throw new Error(`report answered ${result.status}`);
      done++;
    }
  }
  return done;
}

describe('HTTP worker with fetch only', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.close());
  const post = (path: string, json?: unknown, token = TOKENS.write) =>
    s.call(path, { method: 'POST', token, ...(json === undefined ? {} : { json }) });

  it('processes jobs enqueued through the API, with progress and results', async () => {
    const { jobs } = await body(
      await post('/api/v1/jobs/batch', { jobs: [1, 2, 3, -1].map((n) => ({ type: 'math.double', payload: { n } })) }),
    );
    // Watch progress live while the worker runs.
    let processed = 0;
    const worker = runFetchWorker(s.url, TOKENS.write, { types: ['math.double'], until: () => processed >= 4 }).then(
      (n) => (processed = n),
    );
    const check = async (): Promise<void> => {
      for (;;) {
        const list = await body(await s.call('/api/v1/jobs?type=math.double&state=completed,failed'));
        if (list.jobs.length === 4) {
          processed = 4;
          return;
        }
        await new Promise((r) => setImmediate(r));
      }
    };
    await check();
    await worker;
    for (const [i, n] of [1, 2, 3].entries()) {
      const job = await body(await s.call(`/api/v1/jobs/${jobs[i].id}`));
      expect(job).toMatchObject({
        state: 'completed',
        result: { doubled: n * 2 },
        progress: { percent: 50, message: 'half way' },
        attempts: 1,
      });
    }
    const failed = await body(await s.call(`/api/v1/jobs/${jobs[3].id}`));
    expect(failed.state).toBe('failed');
    expect(failed.errors[0].message).toBe('negative');
    const { workers } = await body(await s.call('/api/v1/workers'));
    expect(workers.find((w: { id: string }) => w.id === 'fetch-worker-1')).toMatchObject({ kind: 'http' });
  });

  it('completes a job enqueued with deleteOnComplete: the answer is the completed job, then it is gone', async () => {
    const job = await body(await post('/api/v1/jobs', { type: 'gone.t', queue: 'gone', deleteOnComplete: true }));
    expect(job.deleteOnComplete).toBe(true);
    const claim = await body(await post('/api/v1/claims', { queues: ['gone'], worker: 'w-gone' }));
    expect(claim.jobs[0]).toMatchObject({ id: job.id, deleteOnComplete: true });
    const done = await post(`/api/v1/jobs/${job.id}/complete`, { worker: 'w-gone', attempt: 1, result: { ok: 1 } });
    expect(done.status).toBe(200);
    expect(await body(done)).toMatchObject({ id: job.id, state: 'completed', result: { ok: 1 }, leaseUntil: null });
    expect((await s.call(`/api/v1/jobs/${job.id}`)).status).toBe(404);
    const refused = await post('/api/v1/jobs', { type: 'gone.t', deleteOnComplete: 1 });
    expect(refused.status).toBe(400);
  });

  it('long-polls until a job arrives', async () => {
    const pending = post('/api/v1/claims', { queues: ['lp'], waitMs: 20_000, worker: 'lp-worker' });
    // Enqueue only once the claim is waiting: the wake-up, not a poll, must deliver it.
    const job = await body(await post('/api/v1/jobs', { type: 'lp.t', queue: 'lp' }));
    const claim = await body(await pending);
    expect(claim.jobs.map((j: { id: string }) => j.id)).toEqual([job.id]);
    expect(claim.jobs[0]).toMatchObject({ state: 'running', attempts: 1, workerId: 'lp-worker' });
    expect(claim.jobs[0].leaseUntil).toBeTruthy();
  });

  it('answers jobs: [] when nothing comes, and 400 without types or queues', async () => {
    expect(await body(await post('/api/v1/claims', { queues: ['empty-q'], waitMs: 0 }))).toMatchObject({ jobs: [] });
    expect((await post('/api/v1/claims', { limit: 1 })).status).toBe(400);
    expect((await post('/api/v1/claims', { queues: ['x'], waitMs: -1 })).status).toBe(400);
    expect((await post('/api/v1/claims', { queues: ['x'], bogus: 1 })).status).toBe(400);
  });

  it('answers 409 once the caller no longer holds the lease', async () => {
    const job = await body(await post('/api/v1/jobs', { type: 'fence.t', queue: 'fence', maxAttempts: 3 }));
    const claim = await body(await post('/api/v1/claims', { queues: ['fence'], worker: 'w-a' }));
    const fence = { worker: 'w-a', attempt: 1 };
    expect((await post(`/api/v1/jobs/${job.id}/heartbeat`, { ...fence, worker: 'w-b' })).status).toBe(409);
    expect((await post(`/api/v1/jobs/${job.id}/complete`, { ...fence, attempt: 2 })).status).toBe(409);
    expect((await post(`/api/v1/jobs/${job.id}/heartbeat`)).status).toBe(200);
    const failed = await body(
      await post(`/api/v1/jobs/${job.id}/fail`, { ...fence, error: { message: 'flaky', stack: 'at x' } }),
    );
    expect(failed).toMatchObject({ state: 'retrying', attempts: 1 });
    expect(new Date(failed.runAt).getTime()).toBeGreaterThan(new Date(claim.jobs[0].startedAt).getTime());
    const again = await post(`/api/v1/jobs/${job.id}/complete`, { ...fence, result: 1 });
    expect(again.status).toBe(409);
    expect((await body(again)).error.code).toBe('LEASE_LOST');
    expect((await post(`/api/v1/jobs/${job.id}/progress`, { ...fence, percent: 101 })).status).toBe(400);
    expect((await post('/api/v1/jobs/missing/complete', { result: 1 })).status).toBe(404);
    expect((await post(`/api/v1/jobs/${job.id}/complete`, { result: 1 }, TOKENS.read)).status).toBe(403);
  });
});

describe('a vanished HTTP worker', () => {
  it('loses its job to maintenance after the lease; the job runs again and the late report is refused', async () => {
    const clock = new ManualClock();
    const s = await startTestServer({ clock });
    const maintenance = new Maintenance({ backend: s.backend, clock });
    try {
      const post = (path: string, json?: unknown) =>
        s.call(path, { method: 'POST', ...(json === undefined ? {} : { json }) });
      const job = await body(await post('/api/v1/jobs', { type: 'gone.t', backoff: { type: 'fixed', delayMs: 1000 } }));
      const first = await body(await post('/api/v1/claims', { types: ['gone.t'], worker: 'vanishing', leaseMs: 5000 }));
      expect(first.jobs[0].id).toBe(job.id);
      // The worker dies here: no heartbeat, no report.
      await clock.advance(4000);
      await maintenance.runOnce();
      expect((await body(await s.call(`/api/v1/jobs/${job.id}`))).state).toBe('running');
      await clock.advance(2000);
      await maintenance.runOnce();
      const recovered = await body(await s.call(`/api/v1/jobs/${job.id}`));
      expect(recovered.state).toBe('retrying');
      await clock.advance(1000);
      await maintenance.runOnce();
      const second = await body(await post('/api/v1/claims', { types: ['gone.t'], worker: 'survivor' }));
      expect(second.jobs[0]).toMatchObject({ id: job.id, attempts: 2, workerId: 'survivor' });
      const late = await post(`/api/v1/jobs/${job.id}/complete`, { worker: 'vanishing', attempt: 1, result: 'late' });
      expect(late.status).toBe(409);
      const ok = await post(`/api/v1/jobs/${job.id}/complete`, { worker: 'survivor', attempt: 2, result: 'ok' });
      expect((await body(ok)).state).toBe('completed');
    } finally {
      await maintenance.stop();
      await s.close();
    }
  });
});
