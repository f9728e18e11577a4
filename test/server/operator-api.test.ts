/**
 * What the dashboard's operator features ask of the HTTP API, over real HTTP on a real SQLite
 * engine: run-now, short ids, queue latency and serving workers, throughput counted by the
 * engine, bulk results that name what they left alone, a schedule's last run, and the
 * dashboard's files compressed and cached.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { validateEnqueue, type EnqueueRequest } from '../../src/core/validate.js';
import { startServer } from '../../src/server/index.js';
import { TOKENS, body, startTestServer, type TestServer } from './helpers.js';

const clock = new ManualClock(Date.UTC(2030, 0, 1, 12, 0, 30));
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ clock });
});
afterAll(async () => s?.close());

const post = (path: string, token?: string) => s.call(path, { method: 'POST', ...(token ? { token } : {}) });

async function enqueue(req: Partial<EnqueueRequest> = {}): Promise<string> {
  const [o] = await s.backend.jobsEnqueue({ jobs: [validateEnqueue({ type: 'op.job', ...req }, clock.now())] });
  return o!.job.id;
}

/** Claims and completes (or fails for good) the next job of `queue`. */
async function finish(queue: string, fail = false): Promise<void> {
  const [job] = await s.backend.jobsClaim({ workerId: 'w', queues: [queue], limit: 1, leaseMs: 30_000 });
  if (!job) throw new Error(`nothing to claim in ${queue}`);
  if (fail) {
    await s.backend.jobsFail({
      items: [
        { id: job.id, workerId: 'w', attempt: 1, error: { message: 'x', attempt: 1, at: new Date() }, retryAt: null },
      ],
    });
  } else await s.backend.jobsComplete({ items: [{ id: job.id, workerId: 'w', attempt: 1, result: null }] });
}

describe('run now', () => {
  it('queues a delayed job now; refuses a due one with 409, a read token with 403', async () => {
    const id = await enqueue({ queue: 'later', delay: 3_600_000 });
    expect((await post(`/api/v1/jobs/${id}/promote`, TOKENS.read)).status).toBe(403);
    const res = await post(`/api/v1/jobs/${id}/promote`);
    expect(res.status).toBe(200);
    const job = await body(res);
    expect(job).toMatchObject({ id, state: 'queued', runAt: new Date(clock.now()).toISOString() });
    const again = await post(`/api/v1/jobs/${id}/promote`);
    expect(again.status).toBe(409);
    expect((await body(again)).error.code).toBe('INVALID_TRANSITION');
    expect((await post('/api/v1/jobs/no-such-job/promote')).status).toBe(404);
  });
});

describe('short ids', () => {
  it('gets, lists and acts on a job by the tail of its id; several matches are a 400 naming them', async () => {
    const id = await enqueue({ queue: 'short', delay: 60_000 });
    const tail8 = id.slice(-8);
    for (const short of [`…${tail8}`, `...${tail8}`, tail8, id.slice(-12)]) {
      const res = await s.call(`/api/v1/jobs/${encodeURIComponent(short)}`);
      expect(res.status, short).toBe(200);
      expect((await body(res)).id).toBe(id);
    }
    const listed = await body(await s.call(`/api/v1/jobs?id=${encodeURIComponent(`…${tail8}`)}`));
    expect(listed.jobs.map((j: { id: string }) => j.id)).toEqual([id]);
    expect((await body(await post(`/api/v1/jobs/${encodeURIComponent(`…${tail8}`)}/promote`))).id).toBe(id);
    expect((await post(`/api/v1/jobs/${tail8}/cancel`)).status).toBe(200);
    expect((await s.call(`/api/v1/jobs/${tail8}`, { method: 'DELETE' })).status).toBe(204);
    expect((await s.call(`/api/v1/jobs/${tail8}`)).status).toBe(404);

    const a = await enqueue({ id: 'invoice-1-0badc0de', queue: 'short' });
    const b = await enqueue({ id: 'invoice-2-0badc0de', queue: 'short' });
    const amb = await s.call(`/api/v1/jobs/${encodeURIComponent('…0badc0de')}`);
    expect(amb.status).toBe(400);
    const err = (await body(amb)).error;
    expect(err.code).toBe('AMBIGUOUS_ID');
    expect(err.details.matches.sort()).toEqual([a, b].sort());
    expect((await body(await s.call(`/api/v1/jobs/${encodeURIComponent('…1-0badc0de')}`))).id).toBe(a);
    const both = await body(await s.call(`/api/v1/jobs?id=${encodeURIComponent('…0badc0de')}`));
    expect(both.jobs.map((j: { id: string }) => j.id).sort()).toEqual([a, b].sort());
  });
});

describe('queue health', () => {
  it('reports the oldest due job, its wait, and the live workers serving each queue', async () => {
    const start = clock.now();
    await enqueue({ queue: 'lat', priority: 'low' });
    await clock.advance(1_000);
    await enqueue({ queue: 'lat', priority: 'high' });
    await enqueue({ queue: 'lat-later', delay: 60_000 });
    await s.backend.workerHeartbeat({
      worker: {
        id: 'h:1:a',
        host: 'h',
        pid: 1,
        queues: [{ name: 'lat', weight: 1 }],
        concurrency: 1,
        running: [],
        startedAt: new Date(clock.now()),
        lastSeenAt: new Date(clock.now()),
      },
    });
    await clock.advance(4_000);
    const { queues } = await body(await s.call('/api/v1/queues'));
    const lat = queues.find((q: { name: string }) => q.name === 'lat');
    expect(lat).toMatchObject({ oldestDueAt: new Date(start).toISOString(), latencyMs: 5_000, workers: 1 });
    expect(queues.find((q: { name: string }) => q.name === 'lat-later')).toMatchObject({
      oldestDueAt: null,
      latencyMs: null,
      workers: 0,
    });
    const one = await body(await s.call('/api/v1/queues/lat'));
    expect(one.latencyMs).toBe(5_000);
    await s.backend.workerRemove({ id: 'h:1:a' });
  });
});

describe('throughput', () => {
  it('counts completed and failed jobs per minute from the engine, also on a server started later', async () => {
    await clock.set(Date.UTC(2030, 0, 1, 13, 0, 10));
    for (let i = 0; i < 3; i++) await enqueue({ queue: 'tp', maxAttempts: 1 });
    await finish('tp');
    await finish('tp');
    await finish('tp', true);
    await clock.advance(60_000);
    await enqueue({ queue: 'tp' });
    await finish('tp');
    // A second server on the same engine saw none of it happen, and counts it all the same.
    const other = await startServer({ backend: s.backend, port: 0, logger: false, dashboardDir: null, env: {} });
    try {
      const stats = await body(await fetch(`${other.url}/api/v1/stats`));
      expect(stats.throughput).toHaveLength(60);
      const last2 = stats.throughput.slice(-2);
      expect(last2.map((m: { minute: string }) => m.minute)).toEqual([
        '2030-01-01T13:00:00.000Z',
        '2030-01-01T13:01:00.000Z',
      ]);
      expect(last2.map((m: { completed: number; failed: number }) => [m.completed, m.failed])).toEqual([
        [2, 1],
        [1, 0],
      ]);
    } finally {
      await other.close();
    }
  });
});

describe('bulk', () => {
  it('says how many matching jobs a delete left alone by state, and deletes them with force', async () => {
    for (let i = 0; i < 3; i++) await enqueue({ queue: 'bulk', maxAttempts: 1 });
    await finish('bulk');
    await enqueue({ queue: 'bulk', delay: 60_000 });
    const res = await body(await post('/api/v1/jobs/bulk/delete?queue=bulk'));
    expect(res).toMatchObject({ matched: 1, affected: 1, ineligible: { queued: 2, scheduled: 1 } });
    const forced = await body(await post('/api/v1/jobs/bulk/delete?queue=bulk&force=true'));
    expect(forced).toMatchObject({ matched: 3, affected: 3, ineligible: {} });
    expect((await body(await s.call('/api/v1/jobs?queue=bulk'))).jobs).toEqual([]);
    // With a filter counts cannot answer (a type), the jobs are listed and counted.
    await enqueue({ queue: 'bulk', type: 'other.job' });
    await enqueue({ queue: 'bulk', type: 'op.job', delay: 60_000 });
    const typed = await body(await post('/api/v1/jobs/bulk/delete?queue=bulk&type=op.job'));
    expect(typed).toMatchObject({ matched: 0, affected: 0, ineligible: { scheduled: 1 } });
    expect(typed.ineligible.queued).toBeUndefined();
  });
});

describe('schedules', () => {
  it("shows a schedule's last run: the job a trigger enqueued, with its state", async () => {
    await s.call('/api/v1/schedules/digest', {
      method: 'PUT',
      json: { spec: 'every day at 09:30', template: { type: 'digest.send', queue: 'digests' } },
    });
    let one = await body(await s.call('/api/v1/schedules/digest'));
    expect(one.lastRun).toBeNull();
    const job = await body(await post('/api/v1/schedules/digest/trigger'));
    one = await body(await s.call('/api/v1/schedules/digest'));
    expect(one.lastRun).toEqual({ jobId: job.id, state: 'queued', at: job.createdAt });
    const { schedules } = await body(await s.call('/api/v1/schedules'));
    expect(schedules.find((x: { name: string }) => x.name === 'digest').lastRun.jobId).toBe(job.id);
  });
});

describe('dashboard files', () => {
  it('sends the compressed copy a browser accepts; caches hashed assets for good, index.html never', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-dash-'));
    const js = `console.log(${JSON.stringify('x'.repeat(4000))})`;
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>gantry</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), js);
    writeFileSync(join(dir, 'assets', 'index-abc123.js.br'), brotliCompressSync(js));
    writeFileSync(join(dir, 'assets', 'index-abc123.js.gz'), gzipSync(js));
    const d = await startTestServer({ dashboardDir: dir, auth: false });
    try {
      const br = await fetch(`${d.url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'br, gzip' } });
      expect(br.headers.get('content-encoding')).toBe('br');
      expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
      expect(await br.text()).toBe(js);
      const gz = await fetch(`${d.url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      for (const path of ['/', '/index.html', '/jobs/abc']) {
        const html = await fetch(d.url + path);
        expect(html.headers.get('cache-control'), path).toBe('no-cache');
      }
    } finally {
      await d.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('OpenAPI', () => {
  it('documents the new routes and fields with roles and error answers', async () => {
    const doc = await body(await fetch(`${s.url}/openapi.json`));
    const promote = doc.paths['/api/v1/jobs/{id}/promote'].post;
    expect(Object.keys(promote.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '503']);
    expect(doc.paths['/api/v1/jobs/{id}'].get.description).toMatch(/short/);
    const queue = doc.paths['/api/v1/queues'].get.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(queue)).toContain('latencyMs');
    expect(JSON.stringify(doc.paths['/api/v1/jobs/bulk/{action}'].post.responses['200'])).toContain('ineligible');
  });
});
