/**
 * The engine's context: its connection, JetStream handles, buckets, names and clock, and the
 * record operations every module uses: read a job with its revision, create one, and
 * compare-and-set one (every write of a job record is a CAS on its KV revision).
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Clock } from '../../core/clock.js';
import type { GantryEvent } from '../../core/events.js';
import type { Job } from '../../core/job.js';
import type { QueueSettingsRecord } from '../../core/queue-rules.js';
import { dropDoc, fitsInline, isStub, loadDoc, storeDoc } from './blobs.js';
import { mapError } from './connection.js';
import { briefOf, decodeBrief, decodeJob, encodeJob, IDLE, type EngineFields, type JobBrief } from './job-codec.js';
import { encodeKey, type BucketRole, type Names } from './names.js';
import { scanValues, type StoredValue } from './scan.js';
import type { WaitingBoard } from './waiting.js';
import { wireGet, wirePublish, wirePut, type Wire } from './wire.js';

/** What every operation of the engine works on. */
export interface Ctx {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  kv: Record<BucketRole, KV>;
  /** Request-reply for the frequent calls (see `wire.ts`). */
  wire: Wire;
  /** Where jobs wait, as this process knows it (see `waiting.ts`). */
  waiting: WaitingBoard;
  n: Names;
  clock: Clock;
  replicas: number;
  /** Work consumers known to exist, by name. */
  consumers: Set<string>;
  /** Queue settings this process read lately (see `queueSettings`). */
  settings: Map<string, { settings: QueueSettingsRecord; at: number }>;
  /** Queues whose settings entry is known to exist. */
  knownQueues: Set<string>;
  /** This backend's own id: it ignores its own hand-over wake-ups. */
  origin: string;
  /** Wakes this process's workers of a queue (set by the event hub). */
  wakeLocal?: (queue: string) => void;
  /** When this backend last handed pointers of a queue over to other workers (monotonic ms). */
  handedOverAt: Map<string, number>;
  /** Queues whose next hand-over wake-up waits for its interval. */
  handOverDue: Set<string>;
  /** Jobs of each queue being enqueued in this turn, for the wake-up hint (see `hintQueued`). */
  hints: Map<string, string[]>;
  /** When lease recovery last read every record, or first ran (engine clock, ms; `jobsLeaseExpiredList`). */
  orphanScanAt: number | null;
  /** The last version this process wrote of each job it runs (saves a read on its next write). */
  held: Map<string, Versioned>;
  /** Claims this process made so far (names its `active` entries). */
  claimSeq: number;
  /** The `active` entry (its revision) of each job this process runs. */
  claimOf: Map<string, number>;
  /** How many of this process's jobs each `active` entry still names as running. */
  claimLeft: Map<number, number>;
  /** Writes that follow a change and run on after the call returns (events, tidying up). */
  background: Set<Promise<unknown>>;
  /** Reports a failed background write (the engine's logger, or nothing). */
  onBackgroundError?: (err: unknown) => void;
  now(): number;
}

/** A job as read, with the revision a compare-and-set needs. */
export interface Versioned {
  job: Job;
  engine: EngineFields;
  rev: number;
  /** The entry as stored (a document or the stub of a large one, see `blobs.ts`). */
  stored: Uint8Array;
}

/** True when a KV write failed because the revision moved (someone else wrote first). */
export function isCasConflict(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e?.code === 10071 || /wrong last sequence|key exists/i.test(e?.message ?? '');
}

/** A stored entry read into a version. */
async function versionOf(ctx: Ctx, stored: Uint8Array, rev: number): Promise<Versioned> {
  return { ...decodeJob(await loadDoc(ctx, stored)), rev, stored };
}

/** One job with its revision, or null. */
export async function readJob(ctx: Ctx, id: string): Promise<Versioned | null> {
  const e = await wireGet(ctx.wire, ctx.n.bucket('jobs'), encodeKey(id), ctx.replicas === 1).catch(mapError);
  if (!e || e.operation !== 'PUT') return null;
  return versionOf(ctx, e.value, e.revision);
}

/** Creates a job record; false when one exists already. */
export async function createJob(ctx: Ctx, job: Job): Promise<boolean> {
  const doc = encodeJob(job, IDLE);
  // Most records fit in one message: written before the call's first await (an enqueue's
  // wake-up hint follows it on the wire, see dispatch.ts).
  const stored = fitsInline(ctx, doc) ? doc : await storeDoc(ctx, doc);
  try {
    // A write expecting no revision at all; the client library's create, which also writes over
    // a delete marker, is tried only when that fails (the engine leaves no markers itself).
    await wirePut(ctx.wire, ctx.n.bucket('jobs'), encodeKey(job.id), stored, 0).catch(async (err: unknown) => {
      if (!isCasConflict(err)) throw err;
      await ctx.kv.jobs.create(encodeKey(job.id), stored);
    });
    return true;
  } catch (err) {
    await dropDoc(ctx, stored);
    if (isCasConflict(err)) return false;
    return mapError(err);
  }
}

/** Writes `next` over `v` if nobody wrote since `v` was read; the new version, or null. */
export async function casJob(ctx: Ctx, v: Versioned, next: Job, engine?: EngineFields): Promise<Versioned | null> {
  const fields = engine ?? v.engine;
  const doc = encodeJob(next, fields);
  // Most records fit in one message: no await for them (a completion's path is short).
  const stored = fitsInline(ctx, doc) ? doc : await storeDoc(ctx, doc);
  try {
    const rev = await wirePut(ctx.wire, ctx.n.bucket('jobs'), encodeKey(next.id), stored, v.rev);
    if (isStub(v.stored)) await dropDoc(ctx, v.stored);
    return { job: next, engine: fields, rev, stored };
  } catch (err) {
    await dropDoc(ctx, stored);
    if (isCasConflict(err)) return null;
    return mapError(err);
  }
}

/** Deletes a job record if nobody wrote since `v` was read; false otherwise. */
export async function casDeleteJob(ctx: Ctx, v: Versioned): Promise<boolean> {
  try {
    if (!(await removeAt(ctx, 'jobs', v.rev))) return false;
    await dropDoc(ctx, v.stored);
    return true;
  } catch (err) {
    if (isCasConflict(err)) return false;
    return mapError(err);
  }
}

/**
 * Reads a job and applies `change` with a compare-and-set, reading again when another writer
 * came first. `change` answers the next job (or null to leave it); the answer is the written
 * version, or null when `change` declined or the job is gone.
 */
export async function updateJob(
  ctx: Ctx,
  id: string,
  change: (v: Versioned) => { job: Job; engine?: EngineFields } | null,
): Promise<{ before: Versioned; after: Versioned } | null> {
  for (;;) {
    const v = await readJob(ctx, id);
    if (!v) return null;
    const next = change(v);
    if (!next) return null;
    const after = await casJob(ctx, v, next.job, next.engine);
    if (after) return { before: v, after };
  }
}

/**
 * An event as it goes into a message. One carrying a result too large for a message (a job
 * deleted on completion) goes without it: the result is on the results subject.
 */
function eventText(ctx: Ctx, e: GantryEvent): string {
  const body = JSON.stringify(e);
  const max = ctx.nc.info?.max_payload ?? 1024 * 1024;
  if (e.result === undefined || Buffer.byteLength(body) <= max / 4) return body;
  const { result: _dropped, ...rest } = e;
  return JSON.stringify(rest);
}

/** Most bytes of events packed into one message (well under any server's `max_payload`). */
const EVENTS_PER_MESSAGE_BYTES = 256 * 1024;

/**
 * The messages of a change's events: each a JSON array of events, as many as fit, on
 * `<prefix>.ev.<type>` when they share a type, else `<prefix>.ev.mixed`.
 */
function eventMessages(ctx: Ctx, events: GantryEvent[]): { subject: string; body: string }[] {
  const out: { subject: string; body: string }[] = [];
  let texts: string[] = [];
  let types = new Set<string>();
  let bytes = 0;
  const flush = (): void => {
    if (texts.length === 0) return;
    const subject = types.size === 1 ? ctx.n.event([...types][0]!) : ctx.n.event(MIXED_EVENTS);
    out.push({ subject, body: `[${texts.join(',')}]` });
    texts = [];
    types = new Set();
    bytes = 0;
  };
  for (const e of events) {
    const t = eventText(ctx, e);
    if (bytes + t.length > EVENTS_PER_MESSAGE_BYTES || texts.length >= EVENTS_PER_MESSAGE_MAX) flush();
    texts.push(t);
    types.add(e.type);
    bytes += t.length;
  }
  flush();
  return out;
}

/** The subject token of a message holding events of several types (others name their one type). */
export const MIXED_EVENTS = 'mixed';

/** Most events in one message: an event's `seq` is its message's sequence times this plus its index. */
export const EVENTS_PER_MESSAGE_MAX = 10_000;

/**
 * Runs `work` after the call that started it returns; `eventsFlush` and `close` wait for it. A
 * failure is reported, not thrown: what it leaves is cleared later (see the callers).
 */
export function inBackground(ctx: Ctx, work: Promise<unknown>): void {
  const p = work.catch((err: unknown) => ctx.onBackgroundError?.(err)).finally(() => ctx.background.delete(p));
  ctx.background.add(p);
}

/** Resolves once every background write started so far has settled. */
export async function backgroundSettled(ctx: Ctx): Promise<void> {
  while (ctx.background.size > 0) await Promise.all([...ctx.background]);
}

/**
 * Publishes the events of one change to the event stream, packed into as few messages as fit
 * (one per change as a rule: a claim of 500 jobs is one message, not 500). The caller does not
 * wait for the stream's acknowledgement (the change is written already, and a worker's next
 * step should not wait a round trip for its events); `eventsFlush` does.
 */
export function publishEvents(ctx: Ctx, events: GantryEvent[]): void {
  if (events.length === 0) return;
  for (const m of eventMessages(ctx, events)) inBackground(ctx, wirePublish(ctx.wire, m.subject, m.body));
}

/**
 * Removes the entry of bucket `role` written at revision `rev`, if it is still the key's current
 * value: a compare-and-set delete that leaves no delete marker behind. The bucket keeps one
 * value per key, so once the key is written again revision `rev` is gone and this answers false.
 */
export async function removeAt(ctx: Ctx, role: BucketRole, rev: number): Promise<boolean> {
  try {
    return await ctx.jsm.streams.deleteMessage(`KV_${ctx.n.bucket(role)}`, rev, false);
  } catch (err) {
    if (/no message found|not found/i.test((err as Error).message)) return false;
    return mapError(err);
  }
}

/**
 * The keys of bucket `role` (matching `filter`, a key pattern with `*` and `>`), from the
 * subjects of its stream (one `STREAM.INFO`, answered by the stream's leader: no consumer to
 * create). Entries are removed without markers (`removeAt`), so every subject is a live key.
 */
export async function keysOf(ctx: Ctx, role: BucketRole, filter = '>'): Promise<string[]> {
  const bucket = ctx.n.bucket(role);
  const head = `$KV.${bucket}.`;
  const info = await ctx.jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${head}${filter}` }).catch(mapError);
  return Object.keys(info.state.subjects ?? {}).map((s) => s.slice(head.length));
}

/** Below this many records a scan reads them one by one (no consumer to create for a few). */
const SCAN_BY_CONSUMER_FROM = 64;

/** Every job record, one get per key. */
async function storedByKey(ctx: Ctx): Promise<StoredValue[]> {
  const keys = await keysOf(ctx, 'jobs');
  const out: StoredValue[] = [];
  for (let i = 0; i < keys.length; i += 256) {
    const batch = await Promise.all(keys.slice(i, i + 256).map((k) => ctx.kv.jobs.get(k).catch(mapError)));
    for (const e of batch) if (e && e.operation === 'PUT') out.push({ value: e.value, rev: e.revision });
  }
  return out;
}

/**
 * Every job record as stored (a scan of the bucket: lists, counts and maintenance; see
 * docs/nats.md): streamed by one consumer, or key by key when there are few or the consumer
 * cannot be made.
 */
async function allStored(ctx: Ctx): Promise<StoredValue[]> {
  const info = await ctx.jsm.streams.info(`KV_${ctx.n.bucket('jobs')}`).catch(mapError);
  const count = info.state.messages;
  if (count === 0) return [];
  if (count < SCAN_BY_CONSUMER_FROM) return storedByKey(ctx);
  const bucket = ctx.n.bucket('jobs');
  try {
    return await scanValues(ctx.nc, ctx.jsm, `KV_${bucket}`, `$KV.${bucket}.>`, count);
  } catch {
    return storedByKey(ctx);
  }
}

/** Every job record (a scan of the bucket, see `allStored`). */
export async function allJobs(ctx: Ctx): Promise<Versioned[]> {
  return Promise.all((await allStored(ctx)).map((e) => versionOf(ctx, e.value, e.rev)));
}

/**
 * The queue, state and times of every job (a scan, as `allJobs`, without making each record a
 * `Job`): what counts read.
 */
export async function allBriefs(ctx: Ctx): Promise<JobBrief[]> {
  return Promise.all(
    (await allStored(ctx)).map(async (e) =>
      isStub(e.value) ? briefOf((await versionOf(ctx, e.value, e.rev)).job) : decodeBrief(e.value),
    ),
  );
}
