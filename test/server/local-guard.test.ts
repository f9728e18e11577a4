/**
 * A server without tokens (loopback only, as `gantry dev` runs) refuses what a web page in the
 * developer's browser could send it: writes from another site, and any request under a host
 * name that is not this machine's (DNS rebinding). Programs sending neither header pass.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, body, startTestServer, type TestServer } from './helpers.js';

/** One request with full control of the headers (fetch keeps `Host` to itself). */
function request(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: { error?: { code: string; message: string } } & Record<string, unknown> }> {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {} }));
      },
    );
    req.once('error', reject);
    req.end();
  });
}

let s: TestServer;
let port: string;
beforeAll(async () => {
  s = await startTestServer({ auth: false, allowedHosts: ['gantry.lan'] });
  port = new URL(s.url).port;
  await s.call('/api/v1/jobs', { method: 'POST', json: { type: 'guard.t', queue: 'emails' } });
});
afterAll(async () => s?.close());

const paused = async (): Promise<boolean> => (await body(await s.call('/api/v1/queues/emails'))).paused as boolean;

describe('a server without tokens', () => {
  it.each([
    ['an Origin of another site', { origin: 'https://evil.example' }],
    ['Origin null (a sandboxed page)', { origin: 'null' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site (another port of localhost)', { 'sec-fetch-site': 'same-site' }],
    ['an Origin of the same host on another port', { origin: 'http://127.0.0.1:1' }],
  ])('refuses a write with %s: 403 FORBIDDEN, nothing done', async (_what, headers) => {
    for (const path of ['/api/v1/queues/emails/pause', '/api/v1/jobs/bulk/cancel?queue=emails']) {
      const r = await request(s.url, 'POST', path, headers);
      expect(r.status).toBe(403);
      expect(r.json.error?.code).toBe('FORBIDDEN');
      expect(r.json.error?.message).toMatch(/may not change anything on a server without API tokens/);
    }
    expect(await paused()).toBe(false);
    expect((await body(await s.call('/api/v1/jobs?queue=emails'))).jobs[0].state).toBe('queued');
  });

  it.each(['evil.example', 'rebind.attacker.test', '127.0.0.1.nip.io', 'localhost.'])(
    'refuses any request under Host %s (DNS rebinding)',
    async (name) => {
      const r = await request(s.url, 'GET', '/api/v1/queues', { host: `${name}:${port}` });
      expect(r.status).toBe(403);
      expect(r.json.error).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/is not a name of this machine/),
      });
    },
  );

  it.each(['127.0.0.1', 'localhost', 'app.localhost', '[::1]', 'gantry.lan'])('answers under Host %s', async (name) => {
    expect((await request(s.url, 'GET', '/api/v1/queues', { host: `${name}:${port}` })).status).toBe(200);
  });

  it('takes writes from its own pages and from programs', async () => {
    const own = await request(s.url, 'POST', '/api/v1/queues/emails/pause', {
      origin: `http://localhost:${port}`,
      host: `localhost:${port}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(own.status).toBe(200);
    expect(await paused()).toBe(true);
    const curl = await request(s.url, 'POST', '/api/v1/queues/emails/resume');
    expect(curl.status).toBe(200);
    expect(await paused()).toBe(false);
  });
});

describe('a server with tokens', () => {
  it('leaves Origin and Host to the tokens', async () => {
    const t = await startTestServer();
    try {
      const r = await request(t.url, 'POST', '/api/v1/queues/emails/pause', {
        authorization: `Bearer ${TOKENS.admin}`,
        origin: 'https://other.example',
        host: 'jobs.example.com',
      });
      expect(r.status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
