/**
 * A scan of a KV bucket's stream (the buckets keep one value per key, so every message is a
 * key's current value), read in stream order by one ephemeral consumer in a single pull (no
 * acks, nothing kept after it) on a subscription of its own. The client library's consumers
 * parse every delivery's metadata into an object and pull in rounds of a thousand; a scan needs
 * only each value and its stream sequence (docs/nats.md).
 */
import { AckPolicy, DeliverPolicy, type JetStreamManager } from '@nats-io/jetstream';
import { createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';

/** A value as stored, with its stream sequence (a KV entry's revision). */
export interface StoredValue {
  value: Uint8Array;
  rev: number;
}

/** The longest a scan may go without a message before it fails, ms. */
const SCAN_IDLE_MS = 5_000;
/** How long the server keeps a scan's consumer once nothing reads it, ns (it is deleted after use). */
const SCAN_CONSUMER_TTL_NS = 30_000_000_000;

/**
 * The stream sequence and the messages still pending after this one, from a delivery's reply
 * subject (`$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`, or the newer
 * form with a domain and account before the stream; both end the same way).
 */
function deliveryOf(reply: string): { seq: number; pending: number } {
  const end = reply.length;
  const p = reply.lastIndexOf('.', end - 1);
  const ts = reply.lastIndexOf('.', p - 1);
  const cseq = reply.lastIndexOf('.', ts - 1);
  const sseq = reply.lastIndexOf('.', cseq - 1);
  return { seq: Number(reply.slice(sseq + 1, cseq)), pending: Number(reply.slice(p + 1)) };
}

/**
 * Reads every message of `stream` matching `filter` (`expected`: how many there are at most);
 * markers of deleted keys are left out.
 */
export async function scanValues(
  nc: NatsConnection,
  jsm: JetStreamManager,
  stream: string,
  filter: string,
  expected: number,
): Promise<StoredValue[]> {
  const name = `scan_${randomBytes(8).toString('hex')}`;
  await jsm.consumers.add(stream, {
    name,
    filter_subject: filter,
    deliver_policy: DeliverPolicy.All,
    ack_policy: AckPolicy.None,
    mem_storage: true,
    inactive_threshold: SCAN_CONSUMER_TTL_NS,
  });
  try {
    return await pullAll(nc, stream, name, expected);
  } finally {
    jsm.consumers.delete(stream, name).catch(() => undefined);
  }
}

/** One pull of up to `expected` messages, read until the last one says nothing is pending. */
function pullAll(nc: NatsConnection, stream: string, consumer: string, expected: number): Promise<StoredValue[]> {
  const out: StoredValue[] = [];
  const inbox = createInbox();
  return new Promise<StoredValue[]>((resolve, reject) => {
    let heard = performance.now();
    const idle = setInterval(() => {
      if (performance.now() - heard > SCAN_IDLE_MS)
        finish(new Error(`scan of ${stream} read nothing for ${SCAN_IDLE_MS} ms`));
    }, SCAN_IDLE_MS / 5);
    const finish = (err?: Error): void => {
      clearInterval(idle);
      sub.unsubscribe();
      if (err) reject(err);
      else resolve(out);
    };
    const sub = nc.subscribe(inbox, {
      callback: (err, m: Msg) => {
        if (err) return finish(err);
        // A status without data (404 nothing more, 408 request over) ends the pull.
        if (m.data.length === 0 && m.headers && m.headers.code >= 300) return finish();
        heard = performance.now();
        const d = deliveryOf(m.reply ?? '');
        if (m.data.length > 0) out.push({ value: m.data, rev: d.seq });
        if (d.pending === 0 || out.length >= expected) finish();
      },
    });
    nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, JSON.stringify({ batch: expected, no_wait: true }), {
      reply: inbox,
    });
  });
}
