/**
 * The job record, described once: every field of `Job` with its kind, whether it may be null,
 * who sets it, what a claim does to it, and its column in the SQL engines. Each engine derives
 * its columns, statements and row readers from this table (see `src/backend/job-reader.ts`),
 * the HTTP API derives its JSON schema from it, and a test checks each engine's tables against
 * it. docs/architecture.md lists what a new field touches.
 */
import type { Job } from './job.js';

/**
 * How a field's value is typed, which decides how each engine stores and reads it.
 * `int` is a safe integer (`wide` ones may exceed 32 bits); `time` a `Date`; `json` any JSON
 * document (an object, list or value); `tags` a list of strings; `entries` a list of objects
 * that each carry their time as `at` (failed attempts, operator retries).
 */
export type JobFieldKind = 'text' | 'state' | 'int' | 'bool' | 'time' | 'json' | 'tags' | 'entries';

/** One field of the job record. */
export interface JobFieldSpec {
  kind: JobFieldKind;
  /** The value may be `null`. */
  nullable: boolean;
  /** The int may exceed 32 bits (durations in ms): a 64-bit column where the engine has sizes. */
  wide?: boolean;
  /**
   * `enqueue`: the producer gives it (a `NewJob` field, written by the insert); `engine`: it
   * starts at its initial value and the engine changes it as the job moves.
   */
  origin: 'enqueue' | 'engine';
  /**
   * What a claim does to it: `sets` (the claim's own value: state, worker, lease, start time),
   * `empty` (always `null` on a claimable job), or absent (read from the store).
   */
  claim?: 'sets' | 'empty';
  /** Its column name in SQL engines. */
  column: string;
  /** What it holds, for the API reference. */
  doc: string;
}

/** The description of every `Job` field, in the order records are built and columns listed. */
export const JOB_FIELDS = {
  id: {
    kind: 'text',
    nullable: false,
    origin: 'enqueue',
    column: 'id',
    doc: 'k-sortable unique id (UUIDv7 unless given)',
  },
  type: { kind: 'text', nullable: false, origin: 'enqueue', column: 'type', doc: "the handler's name" },
  queue: { kind: 'text', nullable: false, origin: 'enqueue', column: 'queue', doc: 'the queue (lane) it waits in' },
  payload: { kind: 'json', nullable: false, origin: 'enqueue', column: 'payload', doc: 'any JSON value' },
  priority: { kind: 'int', nullable: false, origin: 'enqueue', column: 'priority', doc: 'higher runs first' },
  state: { kind: 'state', nullable: false, origin: 'enqueue', claim: 'sets', column: 'state', doc: 'job state' },
  attempts: { kind: 'int', nullable: false, origin: 'engine', column: 'attempts', doc: 'attempts started so far' },
  maxAttempts: {
    kind: 'int',
    nullable: false,
    origin: 'enqueue',
    column: 'max_attempts',
    doc: 'attempts allowed (1 = no retry)',
  },
  backoff: { kind: 'json', nullable: false, origin: 'enqueue', column: 'backoff', doc: 'backoff policy' },
  timeoutMs: {
    kind: 'int',
    wide: true,
    nullable: true,
    origin: 'enqueue',
    column: 'timeout_ms',
    doc: 'most one attempt may run, ms',
  },
  runAt: { kind: 'time', nullable: false, origin: 'enqueue', column: 'run_at', doc: 'not before this time' },
  deadline: { kind: 'time', nullable: true, origin: 'enqueue', column: 'deadline', doc: 'not started after this time' },
  uniqueKey: {
    kind: 'text',
    nullable: true,
    origin: 'enqueue',
    column: 'unique_key',
    doc: 'at most one live job per key',
  },
  uniqueWindowMs: {
    kind: 'int',
    wide: true,
    nullable: true,
    origin: 'enqueue',
    column: 'unique_window_ms',
    doc: 'the key stays reserved this long after the job ends, ms',
  },
  deleteOnComplete: {
    kind: 'bool',
    nullable: false,
    origin: 'enqueue',
    column: 'delete_on_complete',
    doc: 'deleted, not kept as completed, when the handler returns',
  },
  progress: {
    kind: 'json',
    nullable: true,
    origin: 'engine',
    column: 'progress',
    doc: 'the last progress the handler reported',
  },
  result: {
    kind: 'json',
    nullable: true,
    origin: 'engine',
    claim: 'empty',
    column: 'result',
    doc: "the handler's result, or null",
  },
  errors: { kind: 'entries', nullable: false, origin: 'engine', column: 'errors', doc: 'one entry per failed attempt' },
  retries: {
    kind: 'entries',
    nullable: false,
    origin: 'engine',
    column: 'retries',
    doc: 'one entry per operator retry: when, from which state, after how many attempts',
  },
  workerId: {
    kind: 'text',
    nullable: true,
    origin: 'engine',
    claim: 'sets',
    column: 'worker_id',
    doc: 'the worker that runs it',
  },
  leaseUntil: {
    kind: 'time',
    nullable: true,
    origin: 'engine',
    claim: 'sets',
    column: 'lease_until',
    doc: "until when the worker's claim holds",
  },
  createdAt: { kind: 'time', nullable: false, origin: 'enqueue', column: 'created_at', doc: 'when it was enqueued' },
  startedAt: {
    kind: 'time',
    nullable: true,
    origin: 'engine',
    claim: 'sets',
    column: 'started_at',
    doc: 'when its current attempt started',
  },
  finishedAt: {
    kind: 'time',
    nullable: true,
    origin: 'engine',
    claim: 'empty',
    column: 'finished_at',
    doc: 'when it reached a final state',
  },
  tags: { kind: 'tags', nullable: false, origin: 'enqueue', column: 'tags', doc: 'labels for filtering' },
  metadata: { kind: 'json', nullable: false, origin: 'enqueue', column: 'metadata', doc: 'free data for display' },
} as const satisfies { readonly [K in keyof Job]: JobFieldSpec };

/** A field name of the job record. */
export type JobField = keyof typeof JOB_FIELDS;

/** Every field, in `JOB_FIELDS` order. */
export const JOB_FIELD_NAMES = Object.keys(JOB_FIELDS) as JobField[];

/** The spec of a field. */
export function jobField(name: JobField): JobFieldSpec {
  return JOB_FIELDS[name];
}

/** The fields a producer gives (what an insert writes), in `JOB_FIELDS` order. */
export const ENQUEUE_FIELDS: readonly JobField[] = JOB_FIELD_NAMES.filter((f) => JOB_FIELDS[f].origin === 'enqueue');

/** The fields a claim reads from the store (not set by the claim, not empty on a claimable job). */
export const CLAIM_READ_FIELDS: readonly JobField[] = JOB_FIELD_NAMES.filter(
  (f) => (JOB_FIELDS[f] as JobFieldSpec).claim === undefined,
);

/** The fields whose values a claim sets itself. */
export const CLAIM_SET_FIELDS: readonly JobField[] = JOB_FIELD_NAMES.filter(
  (f) => (JOB_FIELDS[f] as JobFieldSpec).claim === 'sets',
);
