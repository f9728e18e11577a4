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
import { mapError } from './connection.js';
import { decodeJob, encodeJob, type EngineFields } from './job-codec.js';
import { encodeKey, type BucketRole, type Names } from './names.js';

/** What every operation of the engine works on. */
export interface Ctx {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  kv: Record<BucketRole, KV>;
  n: Names;
  clock: Clock;
  replicas: number;
  /** Work consumers known to exist, by name. */
  consumers: Set<string>;
  /** Queues whose settings entry is known to exist. */
  knownQueues: Set<string>;
  now(): number;
}

/** A job as read, with the revision a compare-and-set needs. */
export interface Versioned {
  job: Job;
  engine: EngineFields;
  rev: number;
}

/** True when a KV write failed because the revision moved (someone else wrote first). */
export function isCasConflict(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e?.code === 10071 || /wrong last sequence|key exists/i.test(e?.message ?? '');
}

/** One job with its revision, or null. */
export async function readJob(ctx: Ctx, id: string): Promise<Versioned | null> {
  const e = await ctx.kv.jobs.get(encodeKey(id)).catch(mapError);
  if (!e || e.operation !== 'PUT') return null;
  return { ...decodeJob(e.value), rev: e.revision };
}

/** Creates a job record; false when one exists already. */
export async function createJob(ctx: Ctx, job: Job): Promise<boolean> {
  try {
    await ctx.kv.jobs.create(encodeKey(job.id), encodeJob(job, { _slot: null }));
    return true;
  } catch (err) {
    if (isCasConflict(err)) return false;
    return mapError(err);
  }
}

/** Writes `next` over `v` if nobody wrote since `v` was read; the new version, or null. */
export async function casJob(ctx: Ctx, v: Versioned, next: Job, engine?: EngineFields): Promise<Versioned | null> {
  const fields = engine ?? v.engine;
  try {
    const rev = await ctx.kv.jobs.update(encodeKey(next.id), encodeJob(next, fields), v.rev);
    return { job: next, engine: fields, rev };
  } catch (err) {
    if (isCasConflict(err)) return null;
    return mapError(err);
  }
}

/** Deletes a job record if nobody wrote since `v` was read; false otherwise. */
export async function casDeleteJob(ctx: Ctx, v: Versioned): Promise<boolean> {
  try {
    await ctx.kv.jobs.delete(encodeKey(v.job.id), { previousSeq: v.rev });
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

/** Publishes events to the event stream, in order; each gets its stream sequence as `seq`. */
export async function publishEvents(ctx: Ctx, events: GantryEvent[]): Promise<void> {
  if (events.length === 0) return;
  const acks = events.map((e) => ctx.js.publish(ctx.n.event(e.type), JSON.stringify(e)));
  await Promise.all(acks).catch(mapError);
}

/** Every job record (a scan of the bucket: lists, counts and maintenance; see docs/nats.md). */
export async function allJobs(ctx: Ctx): Promise<Versioned[]> {
  const keys: string[] = [];
  for await (const k of await ctx.kv.jobs.keys().catch(mapError)) keys.push(k);
  const out: Versioned[] = [];
  for (let i = 0; i < keys.length; i += 256) {
    const batch = await Promise.all(
      keys.slice(i, i + 256).map(async (k) => {
        const e = await ctx.kv.jobs.get(k).catch(mapError);
        return e && e.operation === 'PUT' ? { ...decodeJob(e.value), rev: e.revision } : null;
      }),
    );
    for (const v of batch) if (v) out.push(v);
  }
  return out;
}
