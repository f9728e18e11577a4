/** Tokens and roles over real HTTP; refusing a public bind without tokens. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteBackend } from '../../src/engines/sqlite/index.js';
import { parseTokens, startServer } from '../../src/server/index.js';
import { TOKENS, body, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
let jobId: string;
beforeAll(async () => {
  s = await startTestServer();
  jobId = (await body(await s.call('/api/v1/jobs', { method: 'POST', json: { type: 'auth.t' } }))).id;
});
afterAll(async () => s?.close());

/** [method, path, body, least role]. */
const ROUTES: [string, string, unknown, 'read' | 'write' | 'admin'][] = [
  ['GET', '/api/v1/jobs', undefined, 'read'],
  ['GET', '/api/v1/queues', undefined, 'read'],
  ['GET', '/api/v1/workers', undefined, 'read'],
  ['GET', '/api/v1/stats', undefined, 'read'],
  ['GET', '/metrics', undefined, 'read'],
  ['POST', '/api/v1/jobs', { type: 'auth.t' }, 'write'],
  ['POST', '/api/v1/jobs/batch', { jobs: [{ type: 'auth.t' }] }, 'write'],
  ['POST', '/api/v1/claims', { queues: ['nothing-here'] }, 'write'],
  ['POST', '/api/v1/queues/authq/pause', undefined, 'admin'],
  ['PATCH', '/api/v1/queues/authq', { concurrency: 3 }, 'admin'],
  ['DELETE', '/api/v1/queues/authq', undefined, 'admin'],
  ['POST', '/api/v1/jobs/bulk/cancel?queue=authq', undefined, 'admin'],
];

const ROLE_ORDER = ['read', 'write', 'admin'] as const;

describe('roles', () => {
  it.each(ROUTES)('%s %s (body %j) needs %s', async (method, path, json, least) => {
    const init = { method, ...(json === undefined ? {} : { json }) };
    const none = await s.call(path, { ...init, token: null });
    expect(none.status).toBe(401);
    expect((await body(none)).error.code).toBe('UNAUTHORIZED');
    expect((await s.call(path, { ...init, token: 'not-a-token' })).status).toBe(401);
    for (const role of ROLE_ORDER) {
      const res = await s.call(path, { ...init, token: TOKENS[role] });
      const allowed = ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(least);
      if (allowed) expect(res.status, `${role} on ${path}`).toBeLessThan(300);
      else {
        expect(res.status, `${role} on ${path}`).toBe(403);
        expect((await body(res)).error.code).toBe('FORBIDDEN');
      }
    }
  });

  it('needs admin to cancel and write can not', async () => {
    expect((await s.call(`/api/v1/jobs/${jobId}/cancel`, { method: 'POST', token: TOKENS.write })).status).toBe(403);
    expect((await s.call(`/api/v1/jobs/${jobId}/cancel`, { method: 'POST', token: TOKENS.admin })).status).toBe(200);
    expect((await s.call(`/api/v1/jobs/${jobId}`, { method: 'DELETE', token: TOKENS.read })).status).toBe(403);
  });

  it('checks the token before reading a huge body', async () => {
    const res = await s.call('/api/v1/jobs', {
      method: 'POST',
      token: null,
      json: { type: 'a.b', payload: 'z'.repeat(20 * 1024 * 1024) },
    });
    expect(res.status).toBe(401);
  });

  it('rejects a malformed Authorization header', async () => {
    const res = await fetch(`${s.url}/api/v1/jobs`, { headers: { authorization: `Basic ${TOKENS.admin}` } });
    expect(res.status).toBe(401);
  });

  it('keeps health, docs and the OpenAPI document public', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs']) {
      expect((await s.call(path, { token: null })).status, path).toBe(200);
    }
  });
});

describe('token configuration', () => {
  it('parses role:token lists and refuses bad entries without echoing them', () => {
    expect(parseTokens('read:a, admin:b:c\n# note\n', 't')).toEqual([
      { role: 'read', token: 'a' },
      { role: 'admin', token: 'b:c' },
    ]);
    expect(() => parseTokens('root:secret123', 't')).toThrow(/entry 1/);
    try {
      parseTokens('root:secret123', 't');
    } catch (err) {
      expect((err as Error).message).not.toContain('secret123');
    }
    expect(() => parseTokens('read:', 't')).toThrow();
  });

  it('reads GANTRY_API_TOKENS and a tokens file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-tokens-'));
    const file = join(dir, 'tokens');
    writeFileSync(file, 'read:from-file\n');
    const backend = await openSqliteBackend({ url: `sqlite:${join(dir, 'g.db')}` });
    const srv = await startServer({
      backend,
      port: 0,
      logger: false,
      dashboardDir: null,
      tokensFile: file,
      env: { GANTRY_API_TOKENS: 'admin:from-env' },
    });
    try {
      const get = (t: string) => fetch(`${srv.url}/api/v1/jobs`, { headers: { authorization: `Bearer ${t}` } });
      expect((await get('from-file')).status).toBe(200);
      expect((await get('from-env')).status).toBe(200);
      expect((await get('from-nowhere')).status).toBe(401);
    } finally {
      await srv.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to listen on a public address without tokens, and allows loopback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-bind-'));
    const backend = await openSqliteBackend({ url: `sqlite:${join(dir, 'g.db')}` });
    try {
      await expect(
        startServer({ backend, host: '0.0.0.0', port: 0, logger: false, env: {}, dashboardDir: null }),
      ).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without API tokens/);
      const lines: string[] = [];
      const { default: pino } = await import('pino');
      const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
      const srv = await startServer({ backend, host: '127.0.0.1', port: 0, logger, env: {}, dashboardDir: null });
      expect((await fetch(`${srv.url}/api/v1/jobs`)).status).toBe(200);
      expect(lines.join('')).toMatch(/no API tokens configured: listening on loopback/);
      await srv.close();
    } finally {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
