/**
 * One socket write per turn of the event loop. The client flushes its outgoing buffer at the end
 * of every microtask burst, so a worker whose jobs each end in their own promise chain writes
 * the socket several times a job; the server then reads as often. Deferring the flush to
 * `setImmediate` gathers every command of the turn into one write (docs/nats.md, "Writes").
 * It reaches into the client's protocol handler, so it is applied only when that handler has
 * the shape it expects, and `close` flushes what is still waiting first.
 */
import type { NatsConnection } from '@nats-io/transport-node';

/** The part of the client's protocol handler this relies on. */
interface Protocol {
  flushPending(): void;
  close(err?: Error): Promise<void>;
}

const isProtocol = (p: unknown): p is Protocol =>
  typeof (p as Protocol | undefined)?.flushPending === 'function' &&
  typeof (p as Protocol | undefined)?.close === 'function';

/** Makes `nc` write once per event-loop turn; answers false (and changes nothing) when it cannot. */
export function batchWrites(nc: NatsConnection): boolean {
  const protocol = (nc as unknown as { protocol?: unknown }).protocol;
  if (!isProtocol(protocol)) return false;
  const flush = protocol.flushPending.bind(protocol);
  const close = protocol.close.bind(protocol);
  let pending: NodeJS.Immediate | null = null;
  const flushNow = (): void => {
    if (pending) clearImmediate(pending);
    pending = null;
    flush();
  };
  protocol.flushPending = () => {
    pending ??= setImmediate(flushNow);
  };
  protocol.close = async (err?: Error) => {
    flushNow();
    return close(err);
  };
  return true;
}
