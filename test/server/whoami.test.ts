/** `GET /api/v1/whoami` tells each token its role; with auth off every caller is admin. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, body, startTestServer, type TestServer } from './helpers.js';

describe('GET /api/v1/whoami', () => {
  let s: TestServer;
  let open: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    open = await startTestServer({ auth: false });
  });
  afterAll(async () => {
    await s?.close();
    await open?.close();
  });

  it.each(Object.entries(TOKENS))('answers %s for its token', async (role, token) => {
    const res = await s.call('/api/v1/whoami', { token });
    expect(res.status).toBe(200);
    expect(await body(res)).toEqual({ role, auth: true });
  });

  it('answers 401 without a token or with a wrong one', async () => {
    expect((await s.call('/api/v1/whoami', { token: null })).status).toBe(401);
    const wrong = await s.call('/api/v1/whoami', { token: 'nope' });
    expect(wrong.status).toBe(401);
    expect((await body(wrong)).error.code).toBe('UNAUTHORIZED');
  });

  it('says admin with auth off', async () => {
    expect(await body(await open.call('/api/v1/whoami', { token: null }))).toEqual({ role: 'admin', auth: false });
  });
});
