/**
 * The calls on a worker's path, on the wire: a KV read (direct get of a key's last value), a KV
 * write with or without a compare-and-set, and a stream publish, each a plain request-reply on
 * one inbox subscription. The client library's own request builds two `Error` objects with stack
 * traces and a timer for every call, which on this path cost more CPU than the rest of a job's
 * handling (docs/benchmarks.md); here one timer sweeps every call. Subjects, headers and answers
 * are those of the library's KV and JetStream calls (docs/nats.md); everything else still goes
 * through the library.
 */
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/** How long a call waits for its answer, ms (the library's JetStream default). */
const WIRE_TIMEOUT_MS = 5_000;
/** How often calls past their time are failed, ms. */
const WIRE_SWEEP_MS = 250;

/** A JetStream API error as the server answers it (`code` is the server's `err_code`). */
export class JetStreamReplyError extends Error {
  /** The server's error code (10071: wrong last sequence, a compare-and-set that lost). */
  readonly code: number;
  /** The HTTP-like status of the answer. */
  readonly status: number;

  constructor(description: string, code: number, status: number) {
    super(description);
    this.name = 'JetStreamReplyError';
    this.code = code;
    this.status = status;
  }
}

/** A KV entry as read: its value, revision and operation (`PUT`, `DEL` or `PURGE`). */
export interface WireEntry {
  value: Uint8Array;
  revision: number;
  operation: string;
}

interface Waiter {
  resolve(m: Msg): void;
  reject(err: Error): void;
  until: number;
}

/** Request-reply on one subscription, for the engine's frequent calls. */
export class Wire {
  private readonly inbox = `${createInbox()}.`;
  private seq = 0;
  private readonly waiting = new Map<string, Waiter>();
  private readonly sub: Subscription;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly nc: NatsConnection) {
    this.sub = nc.subscribe(`${this.inbox}*`, { callback: (err, m) => this.answer(err, m) });
    this.sweeper = setInterval(() => this.expire(), WIRE_SWEEP_MS).unref();
  }

  /** Sends `data` to `subject` and resolves with the answer. */
  request(subject: string, data: Uint8Array | string, hdrs?: ReturnType<typeof headers>): Promise<Msg> {
    if (this.nc.isClosed()) return Promise.reject(new Error('connection closed'));
    const token = (++this.seq).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, until: performance.now() + WIRE_TIMEOUT_MS });
      try {
        this.nc.publish(subject, data, { reply: this.inbox + token, ...(hdrs ? { headers: hdrs } : {}) });
      } catch (err) {
        this.waiting.delete(token);
        reject(err as Error);
      }
    });
  }

  /** Fails every call still waiting and stops listening. */
  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const w of this.waiting.values()) w.reject(new Error('connection closed'));
    this.waiting.clear();
  }

  private answer(err: Error | null, m: Msg): void {
    const token = m?.subject.slice(this.inbox.length);
    const w = token === undefined ? undefined : this.waiting.get(token);
    if (!w) return;
    this.waiting.delete(token!);
    if (err) return w.reject(err);
    // A status without data: 503 when nothing listens on the subject (no responders).
    if (m.data.length === 0 && m.headers?.code === 503) return w.reject(new Error('no responders'));
    w.resolve(m);
  }

  private expire(): void {
    const now = performance.now();
    for (const [token, w] of this.waiting) {
      if (w.until > now) continue;
      this.waiting.delete(token);
      w.reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
    }
  }
}

/** The JSON of an answer, or its error thrown as `JetStreamReplyError`. */
function replyOf<T>(m: Msg): T {
  const r = m.json<T & { error?: { code: number; err_code?: number; description?: string } }>();
  if (r.error)
    throw new JetStreamReplyError(r.error.description ?? 'JetStream error', r.error.err_code ?? 0, r.error.code);
  return r;
}

/**
 * The last value of `key` in the KV bucket `bucket`, or null when it has none: a direct get
 * when the bucket allows it (one server), else a get answered by the stream's leader (with
 * replicas, so that a lagging follower never answers; see docs/nats.md).
 */
export async function wireGet(wire: Wire, bucket: string, key: string, direct: boolean): Promise<WireEntry | null> {
  const subject = `$KV.${bucket}.${key}`;
  if (!direct) return leaderGet(wire, bucket, subject);
  const m = await wire.request(`$JS.API.DIRECT.GET.KV_${bucket}.${subject}`, '');
  const h = headerText(m);
  if (h === null) return directGetOf(m);
  const status = STATUS_RE.exec(h);
  const code = status?.[1] ? Number(status[1]) : 0;
  if (code === 404) return null;
  const seq = SEQUENCE_RE.exec(h)?.[1];
  if (code !== 0 || seq === undefined) throw new JetStreamReplyError(status?.[2] || 'direct get failed', 0, code);
  return { value: m.data, revision: Number(seq), operation: OPERATION_RE.exec(h)?.[1] ?? 'PUT' };
}

/** The status line of a header block: `NATS/1.0[ <code>[ <description>]]`. */
const STATUS_RE = /^NATS\/1\.0(?: (\d{3})(?: ([^\r\n]*))?)?\r\n/;
/** Header lines of a header block (after its status line). */
const SEQUENCE_RE = /\r\nNats-Sequence: *(\d+)\r\n/i;
const OPERATION_RE = /\r\nKV-Operation: *(\w+)\r\n/i;

/**
 * The raw header block of a message as text, or null when the client's message does not have
 * the shape this reads (then its parsed `headers` are used). A direct get's answer is read
 * for three values; the client's parsing into a headers object was a fifth of a worker's
 * allocations (docs/nats.md, "Writes").
 */
function headerText(m: Msg): string | null {
  const raw = m as unknown as { _msg?: { hdr?: unknown }; _rdata?: unknown };
  const end = raw._msg?.hdr;
  if (typeof end !== 'number' || !(raw._rdata instanceof Uint8Array)) return null;
  if (end < 0) return '';
  return Buffer.from(raw._rdata.buffer, raw._rdata.byteOffset, end).toString('latin1');
}

/** A direct get's answer read through the client's parsed headers. */
function directGetOf(m: Msg): WireEntry | null {
  const code = m.headers?.code ?? 0;
  if (code === 404) return null;
  if (code !== 0 || !m.headers) throw new JetStreamReplyError(m.headers?.description ?? 'direct get failed', 0, code);
  return {
    value: m.data,
    revision: Number(m.headers.get('Nats-Sequence')),
    operation: m.headers.get('KV-Operation') || 'PUT',
  };
}

/** The server's code for a get that found no message. */
const NO_MESSAGE_FOUND = 10037;

/** A get by the stream's leader (`STREAM.MSG.GET` of the subject's last message). */
async function leaderGet(wire: Wire, bucket: string, subject: string): Promise<WireEntry | null> {
  const m = await wire.request(`$JS.API.STREAM.MSG.GET.KV_${bucket}`, JSON.stringify({ last_by_subj: subject }));
  let r: { message: { seq: number; data?: string; hdrs?: string } };
  try {
    r = replyOf(m);
  } catch (err) {
    if (err instanceof JetStreamReplyError && err.code === NO_MESSAGE_FOUND) return null;
    throw err;
  }
  const hdrs = r.message.hdrs ? Buffer.from(r.message.hdrs, 'base64').toString() : '';
  return {
    value: r.message.data ? new Uint8Array(Buffer.from(r.message.data, 'base64')) : new Uint8Array(0),
    revision: r.message.seq,
    operation: OPERATION_RE.exec(hdrs)?.[1] ?? 'PUT',
  };
}

/**
 * Writes `value` to `key` of the KV bucket `bucket`; with `rev`, only if that is still the key's
 * revision (0: only if the key has none). Answers the new revision.
 */
export async function wirePut(
  wire: Wire,
  bucket: string,
  key: string,
  value: Uint8Array | string,
  rev?: number,
): Promise<number> {
  let h: ReturnType<typeof headers> | undefined;
  if (rev !== undefined) {
    h = headers();
    h.set('Nats-Expected-Last-Subject-Sequence', String(rev));
  }
  return replyOf<{ seq: number }>(await wire.request(`$KV.${bucket}.${key}`, value, h)).seq;
}

/** Publishes `data` to a stream's `subject` and waits for the stream's acknowledgement. */
export async function wirePublish(wire: Wire, subject: string, data: Uint8Array | string): Promise<number> {
  return replyOf<{ seq: number }>(await wire.request(subject, data)).seq;
}
