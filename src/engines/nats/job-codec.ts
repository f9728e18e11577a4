/**
 * The job record as the engine stores it in its `jobs` KV bucket: one JSON document per job,
 * built from the job record's description (`src/core/job-record.ts`), times as ms since the
 * epoch. Nothing here names a job field: a new field of the record needs no change. The
 * document also carries what only the engine reads (`_slot`: the concurrency slot a running job
 * of a capped queue holds).
 */
import { jobReader, type Decoders } from '../../backend/job-reader.js';
import { JOB_FIELDS, JOB_FIELD_NAMES, type JobFieldKind } from '../../core/job-record.js';
import type { Job, JobState } from '../../core/job.js';

/** Engine fields kept beside the job's own. */
export interface EngineFields {
  /** The concurrency slot of a capped queue this running job holds, or null. */
  _slot: number | null;
  /** The revision of that slot's entry (its release is a compare-and-set delete). */
  _slotRev?: number | null;
  /** The revision of this running job's entry in the `active` bucket. */
  _activeRev?: number | null;
}

/** The engine fields of a job that is not running. */
export const IDLE: EngineFields = { _slot: null, _slotRev: null, _activeRev: null };

type Encoder = (v: unknown) => unknown;
const same = (v: unknown): unknown => v;
const ms = (v: unknown): unknown => (v === null ? null : (v as Date).getTime());
const entriesMs = (v: unknown): unknown => (v as { at: Date }[]).map((e) => ({ ...e, at: e.at.getTime() }));

const ENCODERS: Record<JobFieldKind, Encoder> = {
  text: same,
  state: same,
  int: same,
  bool: same,
  time: ms,
  json: same,
  tags: same,
  entries: entriesMs,
};

/** A field the document leaves out is null (`encodeJob` writes no nulls). */
const orNull = (v: unknown): unknown => (v === undefined ? null : v);

const DECODERS: Decoders = {
  text: orNull,
  state: orNull,
  int: orNull,
  bool: orNull,
  time: (v) => (v === null || v === undefined ? null : new Date(v as number)),
  json: (v) => (v === undefined ? null : v),
  tags: (v) => (v === undefined ? [] : v),
  entries: (v) => (v === undefined ? [] : (v as { at: number }[]).map((e) => ({ ...e, at: new Date(e.at) }))),
};

const readByName = jobReader(JOB_FIELD_NAMES, DECODERS, true);
const COLUMN_OF = JOB_FIELD_NAMES.map((f) => [f, JOB_FIELDS[f].column] as const);

/** Fields that are lists (tags, entries): left out when empty, read back as `[]`. */
const LISTS = new Set(JOB_FIELD_NAMES.filter((f) => JOB_FIELDS[f].kind === 'tags' || JOB_FIELDS[f].kind === 'entries'));
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The stored document of `job`. Null fields and empty lists are left out: a record is written twice or more
 * per run of a job, and its size is most of what goes over the wire.
 */
export function encodeJob(job: Job, engine: EngineFields): Uint8Array {
  const doc: Record<string, unknown> = {};
  if (engine._slot !== null) doc._slot = engine._slot;
  if (engine._slotRev != null) doc._slotRev = engine._slotRev;
  if (engine._activeRev != null) doc._activeRev = engine._activeRev;
  for (const [f, column] of COLUMN_OF) {
    const v = job[f];
    // `undefined` (a handler that returned nothing) is stored as null, as on every engine.
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0 && LISTS.has(f))) continue;
    doc[column] = ENCODERS[JOB_FIELDS[f].kind](v);
  }
  return encoder.encode(JSON.stringify(doc));
}

/** The job and engine fields of a stored document. */
export function decodeJob(bytes: Uint8Array): { job: Job; engine: EngineFields } {
  const doc = JSON.parse(decoder.decode(bytes)) as Record<string, unknown>;
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return {
    job: readByName(doc),
    engine: { _slot: num(doc._slot), _slotRev: num(doc._slotRev), _activeRev: num(doc._activeRev) },
  };
}

/** What counts read of a job: its queue, state and times (ms since the epoch). */
export interface JobBrief {
  queue: string;
  state: JobState;
  runAt: number;
  finishedAt: number | null;
}

const BRIEF = {
  queue: JOB_FIELDS.queue.column,
  state: JOB_FIELDS.state.column,
  runAt: JOB_FIELDS.runAt.column,
  finishedAt: JOB_FIELDS.finishedAt.column,
};

/** The brief of a stored document, read without making it a `Job`. */
export function decodeBrief(bytes: Uint8Array): JobBrief {
  const doc = JSON.parse(decoder.decode(bytes)) as Record<string, unknown>;
  const finishedAt = doc[BRIEF.finishedAt];
  return {
    queue: doc[BRIEF.queue] as string,
    state: doc[BRIEF.state] as JobState,
    runAt: doc[BRIEF.runAt] as number,
    finishedAt: typeof finishedAt === 'number' ? finishedAt : null,
  };
}

/** The brief of a job. */
export function briefOf(job: Job): JobBrief {
  return {
    queue: job.queue,
    state: job.state,
    runAt: job.runAt.getTime(),
    finishedAt: job.finishedAt?.getTime() ?? null,
  };
}
