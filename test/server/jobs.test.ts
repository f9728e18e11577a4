/** Job, queue, worker and stats endpoints over real HTTP against a real SQLite engine. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

const post = (path: string, json?: unknown) =>
  s.call(path, { method: 'POST', ...(json === undefined ? {} : { json }) });

describe('enqueue', () => {
  it('creates a job with every option, 201, and is idempotent on id (200)', async () => {
    const req = {
      id: 'order-42',
      type: 'email.send',
      payload: { to: 'a@example.com' },
      queue: 'emails',
      priority: 'high',
      delay: '10s',
      maxAttempts: 3,
      backoff: { type: 'fixed', delayMs: 500 },
      timeout: '30s',
      deadline: '2100-01-01T00:00:00Z',
      uniqueKey: 'welcome:a',
      tags: ['welcome'],
      metadata: { source: 'test' },
    };
    const res = await post('/api/v1/jobs', req);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const job = await body(res);
    expect(job).toMatchObject({
      id: 'order-42',
      queue: 'emails',
      priority: 10,
      state: 'scheduled',
      maxAttempts: 3,
      backoff: { type: 'fixed', delayMs: 500 },
      timeoutMs: 30_000,
      uniqueKey: 'welcome:a',
      tags: ['welcome'],
      metadata: { source: 'test' },
    });
    const again = await post('/api/v1/jobs', req);
    expect(again.status).toBe(200);
    expect((await body(again)).id).toBe('order-42');
  });

  it('enqueues a batch in one call', async () => {
    const res = await post('/api/v1/jobs/batch', { jobs: [{ type: 'batch.a' }, { type: 'batch.b', payload: [1, 2] }] });
    expect(res.status).toBe(201);
    const { jobs } = await body(res);
    expect(jobs.map((j: { type: string }) => j.type)).toEqual(['batch.a', 'batch.b']);
    const one = await body(await s.call(`/api/v1/jobs/${jobs[1].id}`));
    expect(one.payload).toEqual([1, 2]);
  });

  it('refuses a held unique key with 409', async () => {
    expect((await post('/api/v1/jobs', { type: 'u.t', uniqueKey: 'k1' })).status).toBe(201);
    const res = await post('/api/v1/jobs', { type: 'u.t', uniqueKey: 'k1' });
    expect(res.status).toBe(409);
    expect((await body(res)).error.code).toBe('UNIQUE_CONFLICT');
  });

  it('answers 429 with Retry-After when the queue is full', async () => {
    const patch = await s.call('/api/v1/queues/tiny', { method: 'PATCH', json: { sizeCap: 1, sizePolicy: 'reject' } });
    expect(patch.status).toBe(200);
    expect((await body(patch)).sizeCap).toBe(1);
    expect((await post('/api/v1/jobs', { type: 'x.y', queue: 'tiny' })).status).toBe(201);
    const res = await post('/api/v1/jobs', { type: 'x.y', queue: 'tiny' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await body(res)).error.code).toBe('QUEUE_FULL');
  });

  it('answers 413 for a payload over the limit and for a body over the server limit', async () => {
    const big = 'x'.repeat(1024 * 1024 + 10);
    const res = await post('/api/v1/jobs', { type: 'big.one', payload: big });
    expect(res.status).toBe(413);
    expect((await body(res)).error.code).toBe('PAYLOAD_TOO_LARGE');
    const huge = await post('/api/v1/jobs', { type: 'big.one', payload: 'y'.repeat(17 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect((await body(huge)).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['malformed JSON', '{"type": "a.b",', 'VALIDATION'],
    ['a wrong type', JSON.stringify({ type: 42 }), 'VALIDATION'],
    ['an unknown field', JSON.stringify({ type: 'a.b', colour: 'red' }), 'VALIDATION'],
    ['a bad type name', JSON.stringify({ type: '../../etc/passwd' }), 'VALIDATION'],
    [
      'delay and runAt together',
      JSON.stringify({ type: 'a.b', delay: 5, runAt: '2100-01-01T00:00:00Z' }),
      'VALIDATION',
    ],
    ['a string priority number', JSON.stringify({ type: 'a.b', maxAttempts: '3' }), 'VALIDATION'],
    ['an empty batch', JSON.stringify({ jobs: [] }), 'VALIDATION'],
  ])('answers 400 for %s', async (_name, text, code) => {
    const path = text.includes('"jobs"') ? '/api/v1/jobs/batch' : '/api/v1/jobs';
    const res = await s.call(path, { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    const b = await body(res);
    expect(b.error.code).toBe(code);
    expect(b.error.message.length).toBeGreaterThan(5);
  });

  it('names the unknown field', async () => {
    const b = await body(await post('/api/v1/jobs', { type: 'a.b', colour: 'red' }));
    expect(b.error.message).toContain('colour');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await s.call('/api/v1/jobs', {
      method: 'POST',
      body: 'type=a',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect((await body(res)).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('list and get', () => {
  it('filters by state, queue, type and tag and pages with a cursor', async () => {
    for (let i = 0; i < 5; i++) await post('/api/v1/jobs', { type: 'page.t', queue: 'paging', tags: ['p', `n${i}`] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v1/jobs?queue=paging&state=queued&type=page.t&tag=p&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await body(await s.call(q));
      expect(page.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...page.jobs.map((j: { id: string }) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect([...seen].sort().reverse()).toEqual(seen);
    const tagged = await body(await s.call('/api/v1/jobs?tag=n3'));
    expect(tagged.jobs).toHaveLength(1);
    const multi = await body(await s.call('/api/v1/jobs?queue=paging,emails&limit=100'));
    expect(multi.jobs.length).toBe(6);
  });

  it('treats injection and traversal strings in filters as plain values', async () => {
    const evil = encodeURIComponent("x' OR '1'='1; DROP TABLE jobs;--");
    const text = await s.call(`/api/v1/jobs?text=${evil}&tag=${evil}`);
    expect(text.status).toBe(200);
    expect((await body(text)).jobs).toEqual([]);
    const queue = await s.call(`/api/v1/jobs?queue=${evil}`);
    expect(queue.status).toBe(400);
    const trav = await s.call(`/api/v1/jobs?type=${encodeURIComponent('../../etc/passwd')}`);
    expect(trav.status).toBe(400);
    // No job can have such an id: a 400 that says what an id is.
    expect((await s.call('/api/v1/jobs/..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
    expect((await s.call('/api/v1/jobs/%27%20OR%201%3D1--')).status).toBe(400);
    expect((await s.call('/../../etc/passwd')).status).toBe(404);
    // The engine still works and still has its jobs.
    expect((await body(await s.call('/api/v1/jobs?queue=paging'))).jobs.length).toBe(5);
  });

  it('refuses bad list parameters', async () => {
    expect((await s.call('/api/v1/jobs?state=sleeping')).status).toBe(400);
    expect((await s.call('/api/v1/jobs?limit=0')).status).toBe(400);
    expect((await s.call('/api/v1/jobs?limit=abc')).status).toBe(400);
    expect((await s.call('/api/v1/jobs?limit=5000')).status).toBe(400);
    expect((await s.call('/api/v1/jobs?colour=red')).status).toBe(400);
  });

  it('answers 404 for a missing job and a missing route', async () => {
    const res = await s.call('/api/v1/jobs/nope');
    expect(res.status).toBe(404);
    expect((await body(res)).error.code).toBe('NOT_FOUND');
    expect((await s.call('/api/v1/nothing-here')).status).toBe(404);
  });
});

describe('cancel, retry, delete', () => {
  it('cancels, retries and deletes one job, 409 on a transition not allowed', async () => {
    const job = await body(await post('/api/v1/jobs', { type: 'life.t' }));
    expect((await s.call(`/api/v1/jobs/${job.id}`, { method: 'DELETE' })).status).toBe(409);
    expect((await post(`/api/v1/jobs/${job.id}/retry`)).status).toBe(409);
    const cancelled = await post(`/api/v1/jobs/${job.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect((await body(cancelled)).state).toBe('cancelled');
    expect((await post(`/api/v1/jobs/${job.id}/cancel`)).status).toBe(409);
    const retried = await body(await post(`/api/v1/jobs/${job.id}/retry`));
    expect(retried.state).toBe('queued');
    expect((await s.call(`/api/v1/jobs/${job.id}?force=true`, { method: 'DELETE' })).status).toBe(204);
    expect((await s.call(`/api/v1/jobs/${job.id}`)).status).toBe(404);
    expect((await post('/api/v1/jobs/nope/cancel')).status).toBe(404);
  });

  it('bulk cancels, retries and deletes by filter', async () => {
    for (let i = 0; i < 4; i++) await post('/api/v1/jobs', { type: 'bulk.t', queue: 'bulkq' });
    const noFilter = await post('/api/v1/jobs/bulk/cancel');
    expect(noFilter.status).toBe(400);
    const cancel = await body(await post('/api/v1/jobs/bulk/cancel?queue=bulkq'));
    expect(cancel).toMatchObject({ matched: 4, affected: 4, more: false });
    const retry = await body(await post('/api/v1/jobs/bulk/retry?queue=bulkq&state=cancelled'));
    expect(retry.affected).toBe(4);
    const del = await body(await post('/api/v1/jobs/bulk/delete?queue=bulkq'));
    expect(del.affected).toBe(0);
    const forced = await body(await post('/api/v1/jobs/bulk/delete?queue=bulkq&force=true'));
    expect(forced.affected).toBe(4);
    expect((await body(await s.call('/api/v1/jobs?queue=bulkq'))).jobs).toEqual([]);
    expect((await post('/api/v1/jobs/bulk/explode?queue=bulkq')).status).toBe(400);
  });
});

describe('queues, workers, stats', () => {
  it('lists queues, pauses and resumes, changes caps', async () => {
    await post('/api/v1/jobs', { type: 'q.t', queue: 'ops' });
    const { queues } = await body(await s.call('/api/v1/queues'));
    const ops = queues.find((q: { name: string }) => q.name === 'ops');
    expect(ops.counts.queued).toBe(1);
    expect((await body(await post('/api/v1/queues/ops/pause'))).paused).toBe(true);
    expect((await body(await s.call('/api/v1/queues/ops'))).paused).toBe(true);
    expect((await body(await post('/api/v1/queues/ops/resume'))).paused).toBe(false);
    const patched = await body(await s.call('/api/v1/queues/ops', { method: 'PATCH', json: { concurrency: 2 } }));
    expect(patched.concurrency).toBe(2);
    expect((await s.call('/api/v1/queues/ops', { method: 'PATCH', json: { concurrency: 0 } })).status).toBe(400);
    expect((await s.call('/api/v1/queues/ops', { method: 'PATCH', json: { colour: 1 } })).status).toBe(400);
    expect((await post('/api/v1/queues/bad%20name/pause')).status).toBe(400);
    expect((await s.call('/api/v1/queues/none')).status).toBe(404);
  });

  it('sets a queue’s defaults; a job posted without its own takes them', async () => {
    const defaults = { timeoutMs: 3_600_000, maxAttempts: 100, weight: 10 };
    const patched = await body(await s.call('/api/v1/queues/limited', { method: 'PATCH', json: defaults }));
    expect(patched).toMatchObject({ name: 'limited', ...defaults });
    expect(await body(await s.call('/api/v1/queues/limited'))).toMatchObject(defaults);
    const job = await body(await post('/api/v1/jobs', { type: 'q.t', queue: 'limited' }));
    expect(job).toMatchObject({ timeoutMs: 3_600_000, maxAttempts: 100 });
    const own = await body(
      await post('/api/v1/jobs', { type: 'q.t', queue: 'limited', maxAttempts: 2, timeout: '5s' }),
    );
    expect(own).toMatchObject({ timeoutMs: 5000, maxAttempts: 2 });
    for (const bad of [{ weight: 0 }, { weight: 1001 }, { maxAttempts: 1001 }, { timeoutMs: 0 }, { timeoutMs: 1.5 }]) {
      const r = await s.call('/api/v1/queues/limited', { method: 'PATCH', json: bad });
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    const cleared = await body(
      await s.call('/api/v1/queues/limited', {
        method: 'PATCH',
        json: { timeoutMs: null, maxAttempts: null, weight: null },
      }),
    );
    expect(cleared).toMatchObject({ timeoutMs: null, maxAttempts: null, weight: null });
  });

  it('removes a queue without jobs; 409 while it holds jobs, 404 when there is none', async () => {
    await post('/api/v1/queues/emials/pause');
    const gone = await s.call('/api/v1/queues/emials', { method: 'DELETE' });
    expect(gone.status).toBe(204);
    expect((await s.call('/api/v1/queues/emials')).status).toBe(404);
    const busy = await s.call('/api/v1/queues/ops', { method: 'DELETE' });
    expect(busy.status).toBe(409);
    expect((await body(busy)).error).toMatchObject({ code: 'QUEUE_NOT_EMPTY', details: { queue: 'ops', jobs: 1 } });
    const none = await s.call('/api/v1/queues/emials', { method: 'DELETE' });
    expect(none.status).toBe(404);
    expect((await body(none)).error.code).toBe('NOT_FOUND');
  });

  it('lists workers and stats', async () => {
    await s.backend.workerHeartbeat({
      worker: {
        id: 'h:1:a',
        host: 'h',
        pid: 1,
        queues: [{ name: 'default', weight: 1 }],
        concurrency: 2,
        running: [],
        startedAt: new Date(),
        lastSeenAt: new Date(),
      },
    });
    const { workers } = await body(await s.call('/api/v1/workers'));
    expect(workers.map((w: { id: string }) => w.id)).toContain('h:1:a');
    const stats = await body(await s.call('/api/v1/stats'));
    expect(stats.engine).toBe('sqlite');
    expect(stats.workers).toBeGreaterThanOrEqual(1);
    expect(stats.queues.ops.queued).toBe(1);
    expect(stats.totals.queued).toBeGreaterThan(1);
    expect(stats.throughput.at(-1).enqueued).toBeGreaterThan(0);
  });
});
