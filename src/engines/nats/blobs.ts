/**
 * Job records larger than a NATS message: a record whose document is over what the server
 * takes in one message (`max_payload`, 1 MiB by default, while a payload or a result alone may
 * be 1 MiB) is written in parts to the `blobs` bucket under a fresh name, and the `jobs` entry
 * holds a stub naming them. The stub is what the compare-and-set writes, so the record's
 * revision fences large records as it fences small ones; the parts of a replaced or deleted
 * record are purged after the write (a crash in between leaves unreferenced parts behind).
 */
import { nuid } from '@nats-io/transport-node';
import { mapError } from './connection.js';
import type { Ctx } from './context.js';

/** Room left in a message for the client's and server's framing. */
const MESSAGE_MARGIN = 64 * 1024;

interface Stub {
  _blob: string;
  _parts: number;
}

const STUB_START = new TextEncoder().encode('{"_blob":');

/** The largest document written inline. */
function inlineLimit(ctx: Ctx): number {
  return Math.max(MESSAGE_MARGIN, (ctx.nc.info?.max_payload ?? 1024 * 1024) - MESSAGE_MARGIN);
}

/** The stub a stored value is, or null for an inline document. */
function stubOf(stored: Uint8Array): Stub | null {
  if (stored.length > 200 || !STUB_START.every((b, i) => stored[i] === b)) return null;
  return JSON.parse(new TextDecoder().decode(stored)) as Stub;
}

/** True when a stored value is the stub of a record stored in parts. */
export function isStub(stored: Uint8Array): boolean {
  return stubOf(stored) !== null;
}

/** True when `doc` is written as it is (it fits in one message). */
export function fitsInline(ctx: Ctx, doc: Uint8Array): boolean {
  return doc.length <= inlineLimit(ctx);
}

/** What to write to the `jobs` entry for `doc`: the document, or a stub after its parts. */
export async function storeDoc(ctx: Ctx, doc: Uint8Array): Promise<Uint8Array> {
  const size = inlineLimit(ctx);
  if (doc.length <= size) return doc;
  const stub: Stub = { _blob: nuid.next(), _parts: Math.ceil(doc.length / size) };
  await Promise.all(
    Array.from({ length: stub._parts }, (_, i) =>
      ctx.kv.blobs.put(`${stub._blob}.${i}`, doc.subarray(i * size, (i + 1) * size)),
    ),
  ).catch(mapError);
  return new TextEncoder().encode(JSON.stringify(stub));
}

/** The document a stored value holds (reading its parts when it is a stub). */
export async function loadDoc(ctx: Ctx, stored: Uint8Array): Promise<Uint8Array> {
  const stub = stubOf(stored);
  if (!stub) return stored;
  const parts = await Promise.all(
    Array.from({ length: stub._parts }, async (_, i) => {
      const e = await ctx.kv.blobs.get(`${stub._blob}.${i}`).catch(mapError);
      if (!e || e.operation !== 'PUT') throw new Error(`part ${i} of large job record ${stub._blob} is missing`);
      return e.value;
    }),
  );
  return Buffer.concat(parts);
}

/** Purges the parts a stored value names, if it is a stub (best effort: a leftover is garbage). */
export async function dropDoc(ctx: Ctx, stored: Uint8Array): Promise<void> {
  const stub = stubOf(stored);
  if (!stub) return;
  await Promise.all(
    Array.from({ length: stub._parts }, (_, i) => ctx.kv.blobs.purge(`${stub._blob}.${i}`).catch(() => undefined)),
  );
}
