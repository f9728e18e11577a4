/**
 * Every engine stores what the API accepts, or the API refuses it with a 4xx that says why, in
 * the one error shape: on SQLite and PostgreSQL alike, through the HTTP API as a user hits it.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DURATION_MS, MAX_QUEUE_CAP } from '../../src/core/constants.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { sqlEngines, type SqlStore } from '../helpers/sql-engines.js';
import { body } from './helpers.js';

const engines = await sqlEngines();

/** `levels` nested lists around `inner`. */
const nested = (levels: number, inner: unknown = 1): unknown => {
  let v = inner;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

for (const engine of engines) {
  describe.skipIf(!engine.available)(`limits over HTTP on ${engine.name}`, () => {
    let store: SqlStore;
    let srv: RunningServer;
    const call = (path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> => {
      const { json, ...rest } = init;
      return fetch(`${srv.url}/api/v1${path}`, {
        ...rest,
        ...(json === undefined ? {} : { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } }),
      });
    };
    const enqueue = (job: Record<string, unknown>): Promise<Response> => call('/jobs', { method: 'POST', json: job });
    /** The error of a refused call, checked to be in the documented shape. */
    const refusal = async (res: Response, status: number): Promise<{ code: string; message: string }> => {
      const b = await body(res);
      expect({ status: res.status, b }).toMatchObject({ status, b: { error: { code: expect.any(String) } } });
      expect(typeof b.error.message).toBe('string');
      return b.error;
    };

    beforeAll(async () => {
      store = await engine.open();
      srv = await startServer({ backend: store.backend, port: 0, logger: false, dashboardDir: null, env: {} });
    });
    afterAll(async () => {
      await srv.close();
      await store.close();
    });

    it.each([
      ['U+0000 in the payload', { payload: { a: ['x\u0000'] } }, /payload\.a\[0\] contains the character U\+0000/],
      ['a lone surrogate in the payload', { payload: '\ud800' }, /payload contains a lone surrogate U\+D800/],
      ['U+0000 in a payload key', { payload: { 'k\u0000': 1 } }, /payload key "k\\u0000" contains/],
      ['U+0000 in metadata', { metadata: { note: 'a\u0000' } }, /metadata\.note contains the character U\+0000/],
      ['U+0000 in a tag', { tags: ['ok', 'b\u0000'] }, /tags\[1\] contains the character U\+0000/],
      ['a lone surrogate in a tag', { tags: ['\udc00'] }, /tags\[0\] contains a lone surrogate U\+DC00/],
      ['U+0000 in the unique key', { uniqueKey: 'k\u0000' }, /uniqueKey contains the character U\+0000/],
      ['U+0000 in the id', { id: 'a\u0000b' }, /id must be 1-128 characters/],
      ['a fractional timeout', { timeout: 1.5 }, /timeout must be a whole number of ms/],
      ['an enormous timeout', { timeout: 1e300 }, /timeout must be .*100 years/],
      ['an enormous unique window', { uniqueWindow: 1e300 }, /uniqueWindow must be .*100 years/],
      ['a fractional unique window', { uniqueWindow: '0.5ms' }, /uniqueWindow must be a whole number of ms/],
      ['a deadline past year 9999', { deadline: 8.64e15 }, /deadline must be between 0001-01-01 and 9999-12-31/],
      ['a deadline before year 1', { deadline: -8.64e15 }, /deadline must be between/],
      ['a runAt past year 9999', { runAt: '+010000-01-01T00:00:00Z' }, /runAt must be between/],
      ['an enormous delay', { delay: 1e300 }, /delay must be .*100 years/],
      ['an enormous delay as text', { delay: '999999999d' }, /delay must be at most .*100 years/],
      ['an enormous backoff delay', { backoff: [1e308] }, /backoff\[0\] must be at most .*100 years/],
      ['an enormous fixed backoff', { backoff: { type: 'fixed', delayMs: 1e308 } }, /backoff\.delayMs must be/],
      ['101 levels of nesting', { payload: nested(101) }, /payload is nested more than 100 levels deep/],
    ])('refuses %s with 400 naming the field', async (_what, options, message) => {
      const error = await refusal(await enqueue({ type: 't', ...options }), 400);
      expect(error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(message) });
    });

    it('stores every value it accepts at the limits, as given', async () => {
      const payload = { emoji: '😀 \u{1F600}', deep: nested(99), quote: '"\\u0000"', big: 2 ** 53 - 1 };
      const res = await enqueue({
        type: 'limits',
        payload,
        metadata: { 'key 😀': 'value' },
        tags: ['😀'],
        uniqueKey: 'k😀',
        timeout: MAX_DURATION_MS,
        uniqueWindow: MAX_DURATION_MS,
        deadline: '9999-12-31T23:59:59.999Z',
        runAt: '0001-01-01T00:00:00.000Z',
        backoff: [MAX_DURATION_MS, '1h'],
        priority: -1_000_000,
      });
      expect(res.status).toBe(201);
      const job = await body(await call(`/jobs/${(await body(res)).id ?? ''}`));
      const created = await body(await call(`/jobs?type=limits`));
      expect(created.jobs).toHaveLength(1);
      expect(created.jobs[0]).toEqual(job);
      expect(job).toMatchObject({
        payload,
        metadata: { 'key 😀': 'value' },
        tags: ['😀'],
        uniqueKey: 'k😀',
        timeoutMs: MAX_DURATION_MS,
        uniqueWindowMs: MAX_DURATION_MS,
        deadline: '9999-12-31T23:59:59.999Z',
        runAt: '0001-01-01T00:00:00.000Z',
        backoff: { type: 'list', delaysMs: [MAX_DURATION_MS, 3_600_000] },
      });
      const delayed = await body(await enqueue({ type: 'limits.delay', delay: MAX_DURATION_MS }));
      expect(Date.parse(delayed.runAt) - Date.parse(delayed.createdAt)).toBe(MAX_DURATION_MS);
    });

    it('refuses 10,000 levels of nesting with 400 that says so', async () => {
      const text = `{"type":"t","payload":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
      const res = await call('/jobs', { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
      expect(await refusal(res, 400)).toEqual({
        code: 'VALIDATION',
        message: 'payload is nested more than 100 levels deep, over the limit; flatten it',
      });
    });

    it('takes a backoff as text, as the CLI does: a delay, a list, exponential', async () => {
      const backoffOf = async (backoff: unknown): Promise<unknown> =>
        (await body(await enqueue({ type: 't', backoff }))).backoff;
      expect(await backoffOf('500ms')).toEqual({ type: 'fixed', delayMs: 500 });
      expect(await backoffOf('1s,5s,30s')).toEqual({ type: 'list', delaysMs: [1000, 5000, 30_000] });
      expect(await backoffOf(['1s', 250])).toEqual({ type: 'list', delaysMs: [1000, 250] });
      expect(await backoffOf('exponential')).toEqual({ type: 'exponential' });
      const error = await refusal(await enqueue({ type: 't', backoff: 'soon' }), 400);
      expect(error.message).toMatch(/backoff must be a duration like 500ms/);
    });

    it('refuses a queue cap over 2147483647 and stores one at it', async () => {
      const patch = (json: unknown): Promise<Response> => call('/queues/capped', { method: 'PATCH', json });
      const error = await refusal(await patch({ concurrency: 3_000_000_000 }), 400);
      expect(error.message).toMatch(/concurrency must be an integer from 1 to 2147483647/);
      expect((await refusal(await patch({ sizeCap: 0 }), 400)).message).toMatch(/sizeCap must be an integer from 1/);
      const res = await patch({ concurrency: MAX_QUEUE_CAP, sizeCap: MAX_QUEUE_CAP });
      expect(res.status).toBe(200);
      expect(await body(await call('/queues/capped'))).toMatchObject({
        concurrency: MAX_QUEUE_CAP,
        sizeCap: MAX_QUEUE_CAP,
      });
    });

    it.each([
      ['an id', '/jobs/a%00b', /id must be 1-128 characters/],
      ['an id filter', '/jobs?id=a%00b', /id must be 1-128 characters/],
      ['a queue filter', '/jobs?queue=q%00', /queue must be 1-128 characters/],
      ['a tag filter', '/jobs?tag=t%00', /tag contains the character U\+0000/],
      ['a text filter', '/jobs?text=t%00', /text contains the character U\+0000/],
      ['a cursor', '/jobs?cursor=c%00', /cursor contains the character U\+0000/],
      ['a queue name', '/queues/q%00', /queue must be 1-128 characters/],
      ['a schedule name', '/schedules/s%00', /schedule name must be 1-128 characters/],
    ])('refuses %%00 in %s with 400', async (_what, path, message) => {
      expect(await refusal(await call(path), 400)).toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(message),
      });
    });

    it('reaches ids, queues, types and schedules of 128 characters on every route, and refuses 129', async () => {
      const name = (c: string, n = 128): string => c.repeat(n);
      const created = await enqueue({ type: name('t'), id: name('i'), queue: name('q'), tags: [name('g')] });
      expect(created.status).toBe(201);
      expect((await call(`/jobs/${name('i')}`)).status).toBe(200);
      expect((await call(`/queues/${name('q')}`)).status).toBe(200);
      expect((await call(`/queues/${name('q')}/pause`, { method: 'POST' })).status).toBe(200);
      expect((await call(`/jobs/${name('i')}/cancel`, { method: 'POST' })).status).toBe(200);
      expect((await call(`/jobs/${name('i')}`, { method: 'DELETE' })).status).toBe(204);
      const schedule = { spec: 'every hour', template: { type: name('t'), queue: name('q') } };
      expect((await call(`/schedules/${name('s')}`, { method: 'PUT', json: schedule })).status).toBe(200);
      expect((await call(`/schedules/${name('s')}`)).status).toBe(200);
      expect((await call(`/schedules/${name('s')}/trigger`, { method: 'POST' })).status).toBe(201);
      expect((await call(`/schedules/${name('s')}`, { method: 'DELETE' })).status).toBe(204);

      const tooLong = [
        [enqueue({ type: name('t', 129) }), /type must be 1-128 characters/],
        [enqueue({ type: 't', id: name('i', 129) }), /id must be 1-128 characters/],
        [enqueue({ type: 't', queue: name('q', 129) }), /queue must be 1-128 characters/],
        [enqueue({ type: 't', tags: [name('g', 129)] }), /tags\[0\] must be a string of 1-128 characters/],
        [call(`/jobs/${name('i', 129)}`), /id must be 1-128 characters/],
        [call(`/jobs/${name('i', 129)}/retry`, { method: 'POST' }), /id must be 1-128 characters/],
        [call(`/jobs/${name('i', 129)}/complete`, { method: 'POST', json: {} }), /id must be 1-128 characters/],
        [call(`/queues/${name('q', 129)}`), /queue must be 1-128 characters/],
        [call(`/schedules/${name('s', 129)}`), /schedule name must be 1-128 characters/],
        [call(`/schedules/${name('s', 129)}`, { method: 'PUT', json: schedule }), /schedule name must be 1-128/],
      ] as const;
      for (const [res, message] of tooLong) {
        expect(await refusal(await res, 400)).toMatchObject({
          code: 'VALIDATION',
          message: expect.stringMatching(message),
        });
      }
      const huge = await refusal(await call(`/jobs/${name('i', 5000)}`), 414);
      expect(huge).toEqual({ code: 'URI_TOO_LONG', message: expect.stringMatching(/at most 128/) });
    });

    it('says "deleted by retention" only of a job, never of a schedule, queue or route', async () => {
      const job = await refusal(await call('/jobs/nosuch'), 404);
      expect(job.message).toMatch(/job "nosuch" does not exist \(it may have been deleted by retention/);
      for (const path of ['/schedules/nosuch', '/queues/nosuch', '/nosuch/route']) {
        const error = await refusal(await call(path), 404);
        expect(error.code).toBe('NOT_FOUND');
        expect(error.message).not.toMatch(/retention/);
      }
      expect((await refusal(await call('/nosuch/route'), 404)).message).toMatch(/no route GET \/api\/v1\/nosuch/);
    });

    it('says what is wrong with a __proto__ key and with bad JSON', async () => {
      const send = (text: string): Promise<Response> =>
        call('/jobs', { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
      const proto = await refusal(await send('{"type":"t","payload":{"__proto__":{"admin":true}}}'), 400);
      expect(proto.message).toMatch(/"__proto__" .* key, which the server refuses .*; rename the key/);
      const broken = await refusal(await send('{"type":'), 400);
      expect(broken.message).toMatch(/^the body is not valid JSON: /);
    });

    describe('HTTP workers', () => {
      /** A job claimed over HTTP. */
      const claimed = async (): Promise<{ id: string; worker: string }> => {
        const { id } = await body(await enqueue({ type: 'http.work', queue: 'http' }));
        const claim = await body(await call('/claims', { method: 'POST', json: { queues: ['http'], limit: 1 } }));
        expect(claim.jobs.map((j: { id: string }) => j.id)).toEqual([id]);
        return { id, worker: claim.workerId };
      };

      it('refuses a result over 1 MiB with 413, as the TypeScript worker does, and keeps the job running', async () => {
        const { id, worker } = await claimed();
        const result = 'x'.repeat(1024 * 1024);
        const res = await call(`/jobs/${id}/complete`, { method: 'POST', json: { worker, result } });
        const error = await refusal(res, 413);
        expect(error).toMatchObject({
          code: 'PAYLOAD_TOO_LARGE',
          message: expect.stringMatching(/^result is \d+ bytes/),
        });
        expect((await body(await call(`/jobs/${id}`))).state).toBe('running');
        const done = await call(`/jobs/${id}/complete`, { method: 'POST', json: { worker, result: 'small' } });
        expect(await body(done)).toMatchObject({ state: 'completed', result: 'small' });
      });

      it.each([
        ['complete', { result: { a: 'x\u0000' } }, /result\.a contains the character U\+0000/],
        ['fail', { error: { message: 'boom\u0000' } }, /error\.message contains the character U\+0000/],
        ['fail', { error: { message: 'boom', stack: '\ud800' } }, /error\.stack contains a lone surrogate/],
        ['progress', { percent: 5, message: 'a\u0000' }, /progress message contains the character U\+0000/],
      ])('refuses what no engine stores in %s with 400, and the job stays running', async (action, json, msg) => {
        const { id, worker } = await claimed();
        const res = await call(`/jobs/${id}/${action}`, { method: 'POST', json: { worker, ...json } });
        expect(await refusal(res, 400)).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(msg) });
        expect((await body(await call(`/jobs/${id}`))).state).toBe('running');
      });
    });
  });
}

describe('refusals before the router: Expect: 100-continue, headers over 16 KiB', () => {
  let store: SqlStore;
  let srv: RunningServer;
  beforeAll(async () => {
    store = await engines[0]!.open();
    srv = await startServer({ backend: store.backend, port: 0, logger: false, dashboardDir: null, env: {} });
  });
  afterAll(async () => {
    await srv.close();
    await store.close();
  });

  /** Sends headers only, then the body once the server says continue; resolves with what came back. */
  const expectContinue = (length: number): Promise<{ continued: boolean; status: number; text: string }> =>
    new Promise((resolve, reject) => {
      let continued = false;
      const req = httpRequest(`${srv.url}/api/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': length, expect: '100-continue' },
      });
      req.on('continue', () => {
        continued = true;
        req.end(`{"type":"t","payload":"${'x'.repeat(length - 25)}"}`);
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ continued, status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
    });

  it('gets 413 in the error shape without 100 Continue', async () => {
    const answer = await expectContinue(17 * 1024 * 1024);
    expect(answer).toMatchObject({ continued: false, status: 413 });
    expect(JSON.parse(answer.text)).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/request body is over the server limit/) },
    });
  });

  it('answers a URL over the HTTP parser header limit with 431 in the error shape', async () => {
    const res = await fetch(`${srv.url}/api/v1/jobs?text=${'x'.repeat(20_000)}`);
    expect(res.status).toBe(431);
    expect(await body(res)).toEqual({
      error: { code: 'HEADERS_TOO_LARGE', message: expect.stringMatching(/over 16 KiB; shorten the URL/) },
    });
  });

  it('gets 100 Continue and its answer when the body is within the limit', async () => {
    expect(await expectContinue(100)).toMatchObject({ continued: true, status: 201 });
  });
});
