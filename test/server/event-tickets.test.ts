/**
 * No long-lived token in a URL or in the server log: a browser opens the event stream with a
 * one-use, one-minute ticket asked for with its token; a token in the query string is refused;
 * secrets in request URLs and headers are redacted from the log.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { EVENTS_TICKET_TTL_MS } from '../../src/server/constants.js';
import type { Logger } from '../../src/worker/types.js';
import { TOKENS, body, startTestServer, type TestServer } from './helpers.js';
import { openSse } from './sse.js';

const clock = new ManualClock();
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ clock });
});
afterAll(async () => s?.close());

const issue = async (server: TestServer, token: string | null = TOKENS.read): Promise<Response> =>
  server.call('/api/v1/events/tickets', { method: 'POST', token });
const ticketOf = async (server: TestServer = s): Promise<string> => (await body(await issue(server))).ticket as string;
const stream = (server: TestServer, query: string): Promise<Response> => fetch(`${server.url}/api/v1/events?${query}`);

describe('tickets of the event stream', () => {
  it('are issued to a token, for a minute, and open the stream once', async () => {
    expect((await issue(s, null)).status).toBe(401);
    const res = await issue(s);
    expect(res.status).toBe(201);
    const { ticket, expiresAt } = await body(res);
    expect(new Date(expiresAt).getTime()).toBe(clock.now() + EVENTS_TICKET_TTL_MS);
    expect(ticket).not.toContain(TOKENS.read);

    const live = await openSse(`${s.url}/api/v1/events?ticket=${encodeURIComponent(ticket)}`);
    expect(live.res.status).toBe(200);
    expect((await live.next()).comments).toContain('connected');
    await live.close();

    const again = await stream(s, `ticket=${encodeURIComponent(ticket)}`);
    expect(again.status).toBe(401);
    expect((await body(again)).error.message).toMatch(/expired or was used already/);
  });

  it('expire after a minute on the server clock', async () => {
    const ticket = await ticketOf();
    await clock.advance(EVENTS_TICKET_TTL_MS);
    expect((await stream(s, `ticket=${encodeURIComponent(ticket)}`)).status).toBe(401);
  });

  it('cannot be forged, and open nothing but the event stream', async () => {
    const ticket = await ticketOf();
    const forged = ticket.replace(/\.(read)\./, '.admin.');
    expect((await stream(s, `ticket=${encodeURIComponent(forged)}`)).status).toBe(401);
    expect((await stream(s, `ticket=${encodeURIComponent(`${ticket.slice(0, -2)}xx`)}`)).status).toBe(401);
    expect((await fetch(`${s.url}/api/v1/jobs?ticket=${encodeURIComponent(ticket)}`)).status).toBe(401);
  });

  it('hold on every server with the same tokens, and on no other', async () => {
    const same = await startTestServer({ clock });
    const other = await startTestServer({ clock, tokens: 'read:another-read-token' });
    try {
      const first = await openSse(`${same.url}/api/v1/events?ticket=${encodeURIComponent(await ticketOf(s))}`);
      expect(first.res.status).toBe(200);
      await first.close();
      expect((await stream(other, `ticket=${encodeURIComponent(await ticketOf(s))}`)).status).toBe(401);
    } finally {
      await Promise.all([same.close(), other.close()]);
    }
  });

  it('replace the token in the URL, which is refused with what to do instead', async () => {
    const res = await stream(s, `token=${TOKENS.read}`);
    expect(res.status).toBe(401);
    expect((await body(res)).error.message).toMatch(/POST \/api\/v1\/events\/tickets/);
  });
});

/** A Gantry logger that keeps every entry as JSON text. */
function recordingLogger(lines: string[]): Logger {
  const rec = (obj: unknown, msg?: string): void => void lines.push(JSON.stringify({ obj, msg }));
  return { debug: rec, info: rec, warn: rec, error: rec };
}

/** A pino logger writing into `lines`. */
function pinoInto(lines: string[]) {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return pino({ level: 'debug' }, sink);
}

describe('the server log', () => {
  it.each([
    ['Gantry’s logger', (lines: string[]) => recordingLogger(lines)],
    ['a pino logger', (lines: string[]) => pinoInto(lines)],
  ])('keeps tokens and tickets out of request lines (%s)', async (_kind, make) => {
    const lines: string[] = [];
    const t = await startTestServer({ logger: make(lines) });
    try {
      const ticket = await ticketOf(t);
      const ok = await openSse(`${t.url}/api/v1/events?queue=a&ticket=${encodeURIComponent(ticket)}`);
      await ok.close();
      await stream(t, `token=${TOKENS.admin}&queue=b`);
      await fetch(`${t.url}/api/v1/jobs?limit=1&access_token=${TOKENS.write}`, {
        headers: { authorization: `Bearer ${TOKENS.read}`, cookie: 'session=s3cr3t' },
      });
      const text = lines.join('\n');
      expect(text).toContain('/api/v1/events?queue=a&ticket=[redacted]');
      expect(text).toContain('/api/v1/events?token=[redacted]&queue=b');
      expect(text).toContain('/api/v1/jobs?limit=1&access_token=[redacted]');
      for (const secret of [ticket, TOKENS.admin, TOKENS.write, TOKENS.read, 's3cr3t']) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await t.close();
    }
  });
});
