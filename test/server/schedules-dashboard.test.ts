/** Schedule routes, and serving the dashboard with an SPA fallback. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, body, startTestServer, type TestServer } from './helpers.js';

describe('schedules', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.close());

  it('creates, lists with next fire times, pauses, resumes, triggers, previews and deletes', async () => {
    const put = await s.call('/api/v1/schedules/nightly', {
      method: 'PUT',
      json: { spec: 'every day at 09:30', template: { type: 'report.daily', payload: { full: true } } },
    });
    expect(put.status).toBe(200);
    expect((await body(put)).spec).toBe('every day at 09:30');
    const { schedules } = await body(await s.call('/api/v1/schedules?next=2'));
    expect(schedules).toHaveLength(1);
    expect(schedules[0].nextFireTimes).toHaveLength(2);
    expect(schedules[0].nextFireTimes[0]).toMatch(/T09:30:00/);
    expect((await body(await s.call('/api/v1/schedules/nightly/pause', { method: 'POST' }))).paused).toBe(true);
    expect((await body(await s.call('/api/v1/schedules/nightly/resume', { method: 'POST' }))).paused).toBe(false);
    const fired = await s.call('/api/v1/schedules/nightly/trigger', { method: 'POST' });
    expect(fired.status).toBe(201);
    expect(await body(fired)).toMatchObject({ type: 'report.daily', payload: { full: true }, state: 'queued' });
    const preview = await body(
      await s.call('/api/v1/schedules/preview?spec=' + encodeURIComponent('*/15 * * * *') + '&n=3'),
    );
    expect(preview.times).toHaveLength(3);
    expect((await s.call('/api/v1/schedules/nightly', { method: 'DELETE' })).status).toBe(204);
    expect((await s.call('/api/v1/schedules/nightly')).status).toBe(404);
    expect((await s.call('/api/v1/schedules/nightly', { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses a spec it cannot read with 400, and changes without admin with 403', async () => {
    const bad = await s.call('/api/v1/schedules/x', {
      method: 'PUT',
      json: { spec: 'every blue moon', template: { type: 'a.b' } },
    });
    expect(bad.status).toBe(400);
    expect((await body(bad)).error.code).toBe('SCHEDULE_PARSE');
    const write = await s.call('/api/v1/schedules/x', {
      method: 'PUT',
      token: TOKENS.write,
      json: { spec: '* * * * *', template: { type: 'a.b' } },
    });
    expect(write.status).toBe(403);
    expect((await s.call('/api/v1/schedules', { token: TOKENS.read })).status).toBe(200);
  });
});

describe('dashboard', () => {
  it('serves index.html at /, the files, and the SPA fallback, never for API paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-dash-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>gantry dashboard</title>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1)');
    const s = await startTestServer({ dashboardDir: dir });
    try {
      for (const path of ['/', '/jobs/0190abcd', '/queues']) {
        const res = await fetch(s.url + path);
        expect(res.status, path).toBe(200);
        expect(await res.text()).toContain('gantry dashboard');
      }
      expect(await (await fetch(`${s.url}/app.js`)).text()).toBe('console.log(1)');
      expect((await fetch(`${s.url}/missing.js`)).status).toBe(404);
      const api = await fetch(`${s.url}/api/v1/nope`, { headers: { authorization: `Bearer ${TOKENS.read}` } });
      expect(api.status).toBe(404);
      expect((await body(api)).error.code).toBe('NOT_FOUND');
      expect((await fetch(`${s.url}/..%2f..%2fetc%2fpasswd`)).status).not.toBe(500);
      expect(await (await fetch(`${s.url}/..%2f..%2fetc%2fpasswd`)).text()).not.toContain('root:');
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
