/** The SSE event stream: filters, ticket auth, Last-Event-ID resume, heartbeats. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { TOKENS, body, startTestServer, type TestServer } from './helpers.js';
import { openSse } from './sse.js';

let s: TestServer;
const HEARTBEAT_MS = 10_000;
beforeAll(async () => {
  s = await startTestServer({ sseHeartbeatMs: HEARTBEAT_MS });
});
afterAll(async () => s?.close());

const enqueue = async (json: unknown) => body(await s.call('/api/v1/jobs', { method: 'POST', json }));
/** A ticket of the event stream, asked for with `token`. */
const ticket = async (token: string): Promise<string> =>
  (await body(await s.call('/api/v1/events/tickets', { method: 'POST', token }))).ticket as string;
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('events', () => {
  it('streams filtered events with a ticket in the query, and resumes after Last-Event-ID', async () => {
    const stream = await openSse(
      `${s.url}/api/v1/events?queue=ev&event=job.enqueued,job.cancelled&ticket=${await ticket(TOKENS.read)}`,
    );
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect((await stream.next()).comments).toContain('connected');
    await enqueue({ type: 'other.t', queue: 'elsewhere' });
    const a = await enqueue({ type: 'ev.t', queue: 'ev' });
    const b = await enqueue({ type: 'ev.t', queue: 'ev' });
    await s.call(`/api/v1/jobs/${b.id}/cancel`, { method: 'POST' });
    const e1 = await stream.nextEvent();
    const e2 = await stream.nextEvent();
    const e3 = await stream.nextEvent();
    await stream.close();
    expect([e1.data.jobId, e2.data.jobId, e3.data.jobId]).toEqual([a.id, b.id, b.id]);
    expect([e1.data.type, e2.data.type, e3.data.type]).toEqual(['job.enqueued', 'job.enqueued', 'job.cancelled']);
    expect(e1.data.queue).toBe('ev');
    expect(e1.id).toBeTruthy();

    const resumed = await openSse(`${s.url}/api/v1/events?queue=ev`, {
      authorization: `Bearer ${TOKENS.read}`,
      'last-event-id': e1.id!,
    });
    const r1 = await resumed.nextEvent();
    const r2 = await resumed.nextEvent();
    await resumed.close();
    expect([r1.data.jobId, r1.data.type]).toEqual([b.id, 'job.enqueued']);
    expect([r2.data.jobId, r2.data.type]).toEqual([b.id, 'job.cancelled']);
  });

  it('filters by job id and job type', async () => {
    const job = await enqueue({ type: 'only.me', queue: 'ev2', delay: '1h' });
    const stream = await openSse(`${s.url}/api/v1/events?jobId=${job.id}&type=only.me`, bearer(TOKENS.admin));
    await stream.next();
    await enqueue({ type: 'only.me', queue: 'ev2' });
    await s.call(`/api/v1/jobs/${job.id}/cancel`, { method: 'POST' });
    const e = await stream.nextEvent();
    await stream.close();
    expect(e.data).toMatchObject({ jobId: job.id, type: 'job.cancelled', jobType: 'only.me' });
  });

  it('refuses without a token, with a bad token, and with a bad filter', async () => {
    expect((await fetch(`${s.url}/api/v1/events`)).status).toBe(401);
    expect((await fetch(`${s.url}/api/v1/events?ticket=nope`)).status).toBe(401);
    const bad = await fetch(`${s.url}/api/v1/events?event=job.exploded`, { headers: bearer(TOKENS.read) });
    expect(bad.status).toBe(400);
    expect((await body(bad)).error.code).toBe('VALIDATION');
  });
});

describe('heartbeats', () => {
  it('sends a comment line each heartbeat interval of the server clock', async () => {
    const clock = new ManualClock();
    const t = await startTestServer({ clock, sseHeartbeatMs: HEARTBEAT_MS });
    try {
      const stream = await openSse(`${t.url}/api/v1/events`, bearer(TOKENS.read));
      await stream.next();
      const beat = stream.next();
      await clock.advance(HEARTBEAT_MS);
      expect((await beat).comments).toEqual(['heartbeat']);
      const beat2 = stream.next();
      await clock.advance(HEARTBEAT_MS);
      expect((await beat2).comments).toEqual(['heartbeat']);
      await stream.close();
    } finally {
      await t.close();
    }
  });
});
