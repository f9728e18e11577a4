/** The OpenAPI document validates; /metrics parses and counts what happened; health probes. */
import SwaggerParser from '@apidevtools/swagger-parser';
import parsePrometheus, { type PromFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { body, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

async function scrape(): Promise<PromFamily[]> {
  const res = await s.call('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/plain/);
  return parsePrometheus(await res.text());
}

const sample = (fams: PromFamily[], name: string, labels: Record<string, string>): number | undefined => {
  const fam = fams.find((f) => f.name === name);
  const m = fam?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return m === undefined ? undefined : Number(m.value ?? m.count);
};

/** Sum of a histogram's `_count` series in Prometheus text. */
const histogramCount = (text: string, name: string): number =>
  [...text.matchAll(new RegExp(`^${name}_count\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);

describe('OpenAPI', () => {
  it('is a valid OpenAPI 3.1 document listing every public path', async () => {
    const doc = await body(await s.call('/openapi.json', { token: null }));
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/api/v1/jobs',
      '/api/v1/jobs/batch',
      '/api/v1/jobs/{id}',
      '/api/v1/jobs/{id}/cancel',
      '/api/v1/jobs/{id}/retry',
      '/api/v1/jobs/bulk/{action}',
      '/api/v1/jobs/{id}/heartbeat',
      '/api/v1/jobs/{id}/progress',
      '/api/v1/jobs/{id}/complete',
      '/api/v1/jobs/{id}/fail',
      '/api/v1/claims',
      '/api/v1/queues',
      '/api/v1/queues/{name}/pause',
      '/api/v1/queues/{name}/resume',
      '/api/v1/workers',
      '/api/v1/stats',
      '/api/v1/events',
    ]) {
      expect(doc.paths[p], p).toBeTruthy();
    }
    expect(doc.paths['/api/v1/jobs'].post.requestBody.content['application/json'].schema.additionalProperties).toBe(
      false,
    );
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await s.call('/docs/', { token: null });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/swagger/i);
  });
});

describe('metrics', () => {
  it('parses and counts enqueued, started, completed, failed, retried, durations, depth, workers', async () => {
    const post = (path: string, json: unknown) => s.call(path, { method: 'POST', json });
    await post('/api/v1/jobs/batch', {
      jobs: [
        { type: 'm.ok', queue: 'mq' },
        { type: 'm.bad', queue: 'mq', maxAttempts: 2 },
        { type: 'm.ok', queue: 'mq' },
      ],
    });
    const claim = await body(await post('/api/v1/claims', { queues: ['mq'], limit: 2, worker: 'metrics-worker' }));
    expect(claim.jobs).toHaveLength(2);
    for (const j of claim.jobs) {
      const action = j.type === 'm.ok' ? 'complete' : 'fail';
      const payload = action === 'complete' ? { result: 1 } : { error: { message: 'boom' } };
      expect(
        (await post(`/api/v1/jobs/${j.id}/${action}`, { ...payload, worker: claim.workerId, attempt: j.attempts }))
          .status,
      ).toBe(200);
    }
    await vi.waitFor(
      async () => {
        const fams = await scrape();
        expect(sample(fams, 'gantry_jobs_enqueued_total', { queue: 'mq', type: 'm.ok' })).toBe(2);
        expect(sample(fams, 'gantry_jobs_started_total', { queue: 'mq' })).toBeGreaterThanOrEqual(1);
        const done =
          (sample(fams, 'gantry_jobs_completed_total', { queue: 'mq' }) ?? 0) +
          (sample(fams, 'gantry_jobs_retried_total', { queue: 'mq' }) ?? 0);
        expect(done).toBe(2);
      },
      { timeout: 10_000, interval: 50 },
    );
    const fams = await scrape();
    expect(fams.find((f) => f.name === 'gantry_job_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(fams.find((f) => f.name === 'gantry_job_wait_seconds')?.type).toBe('HISTOGRAM');
    // The parser keeps one series per histogram (it drops their labels), so counts are summed from the text.
    const text = await (await s.call('/metrics')).text();
    expect(histogramCount(text, 'gantry_job_duration_seconds')).toBe(2);
    expect(histogramCount(text, 'gantry_job_wait_seconds')).toBe(2);
    expect(text).toMatch(/gantry_job_duration_seconds_count\{queue="mq",type="m.ok",outcome="completed"\} 1/);
    expect(sample(fams, 'gantry_queue_jobs', { queue: 'mq', state: 'queued' })).toBe(1);
    expect(sample(fams, 'gantry_queue_jobs', { queue: 'mq', state: 'completed' })).toBe(1);
    expect(sample(fams, 'gantry_queue_jobs', { queue: 'mq', state: 'retrying' })).toBe(1);
    expect(sample(fams, 'gantry_workers_alive', { kind: 'http' })).toBe(1);
    expect(sample(fams, 'gantry_engine_up', {})).toBe(1);
  });
});

describe('health', () => {
  it('answers healthz and readyz', async () => {
    expect(await body(await s.call('/healthz', { token: null }))).toEqual({ status: 'ok' });
    expect(await body(await s.call('/readyz', { token: null }))).toEqual({ status: 'ready', engine: 'sqlite' });
  });
});
