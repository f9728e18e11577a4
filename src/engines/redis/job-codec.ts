/**
 * The job record (`src/core/job-record.ts`) as a Redis hash: one field per column of the
 * record, each value a string (times as ms, booleans as 1/0, documents as JSON text), a null
 * value an absent field. So are `false` and an empty list (tags, entries), which read back from
 * an absent field: a new job's record is four fields smaller, and each field of a hash costs
 * Redis memory and an allocation when written. Scripts return records as the `JOB_COLUMNS`
 * values in order. Nothing here names a field: a new field of the record needs no change.
 */
import { jobReader, type Decoders, type JobReader } from '../../backend/job-reader.js';
import { CLAIM_READ_FIELDS, JOB_FIELDS, JOB_FIELD_NAMES, type JobFieldKind } from '../../core/job-record.js';
import type { Job, JobError } from '../../core/job.js';

/** The hash fields of a job, in `JOB_FIELDS` order: what the scripts' records hold. */
export const JOB_COLUMNS: readonly string[] = JOB_FIELD_NAMES.map((f) => JOB_FIELDS[f].column);

/** The hash fields a claim returns: the record's fields it neither sets nor finds empty, in order. */
export const CLAIM_COLUMNS: readonly string[] = CLAIM_READ_FIELDS.map((f) => JOB_FIELDS[f].column);

/**
 * Per claim column, whether its stored text is a JSON value as it is (numbers, 1/0, documents):
 * the claim script writes those into its JSON reply unquoted, and quotes the others (text).
 */
export const CLAIM_RAW: readonly boolean[] = CLAIM_READ_FIELDS.map((f) => {
  const kind = JOB_FIELDS[f].kind;
  return kind !== 'text' && kind !== 'state';
});

type Stored<E> = Omit<E, 'at'> & { at: number };

const entriesIn = (v: unknown): { at: Date }[] =>
  (JSON.parse(v as string) as Stored<{ at: Date }>[]).map((e) => ({ ...e, at: new Date(e.at) }));

/** Parses stored JSON text, skipping the parser for the empty values most records hold. */
function parseJson(text: unknown): unknown {
  if (text === '[]') return [];
  if (text === '{}') return {};
  return JSON.parse(text as string);
}

const nullOr =
  (f: (v: unknown) => unknown) =>
  (v: unknown): unknown =>
    v === null || v === undefined ? null : f(v);

/** A list kind's decoder: an absent field is the empty list. */
const listOr =
  (f: (v: unknown) => unknown) =>
  (v: unknown): unknown =>
    v === null || v === undefined ? [] : f(v);

/** How each kind of value is read back. */
const DECODERS: Decoders = {
  text: nullOr((v) => v),
  state: nullOr((v) => v),
  int: nullOr(Number),
  bool: (v) => v === '1',
  time: nullOr((v) => new Date(Number(v))),
  json: nullOr(parseJson),
  tags: listOr(parseJson),
  entries: listOr(entriesIn),
};

const same = (v: unknown): unknown => v;

/**
 * How each kind of value of a claim's JSON reply is read back: numbers, 1/0 and documents come
 * parsed already (see `CLAIM_RAW`).
 */
const CLAIMED_DECODERS: Decoders = {
  text: same,
  state: same,
  int: same,
  bool: (v) => v === 1,
  time: nullOr((v) => new Date(v as number)),
  json: same,
  tags: listOr(same),
  entries: listOr((v) => (v as Stored<{ at: Date }>[]).map((e) => ({ ...e, at: new Date(e.at) }))),
};

/** Reads a record as the scripts return it (every column, in order). */
export const readJob: JobReader = jobReader(JOB_FIELD_NAMES, DECODERS);

/** Reads one claimed record of the claim's JSON reply (`CLAIM_COLUMNS`), with the claim's own values given. */
export const readClaimed: JobReader = jobReader(CLAIM_READ_FIELDS, CLAIMED_DECODERS);

/** A record, or `null` when the job does not exist (its id is absent). */
export function readRecord(rec: unknown): Job | null {
  const a = rec as (string | null)[];
  return a && a[0] !== null ? readJob(a) : null;
}

/** Encodes one value of a kind as stored; '' for an absent field (null, false, an empty list). */
export function encodeValue(kind: JobFieldKind, v: unknown): string {
  if (v === null || v === undefined) return kind === 'json' ? 'null' : '';
  switch (kind) {
    case 'bool':
      return v ? '1' : '';
    case 'time':
      return String((v as Date).getTime());
    case 'json':
      return JSON.stringify(v);
    case 'tags':
      return (v as unknown[]).length === 0 ? '' : JSON.stringify(v);
    case 'entries':
      if ((v as unknown[]).length === 0) return '';
      return JSON.stringify((v as { at: Date }[]).map((e) => ({ ...e, at: e.at.getTime() })));
    default:
      return String(v);
  }
}

const KINDS = JOB_FIELD_NAMES.map((f) => JOB_FIELDS[f].kind);
const NULLABLE = JOB_FIELD_NAMES.map((f) => JOB_FIELDS[f].nullable);

/** One column's value as stored; a nullable document that is null is an absent field (''). */
const columnText = (i: number, v: unknown): string => (v === null && NULLABLE[i] ? '' : encodeValue(KINDS[i]!, v));

/** True when two values of a column are alike without encoding them: the same value, or the same time. */
const sameRaw = (a: unknown, b: unknown): boolean =>
  a === b || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());

/**
 * New jobs as `jobs-enqueue.lua` takes them (ARGV[2]): `[shared, varying, rows]`, where a job's
 * full row is `fresh[j]` then its record's values in `JOB_COLUMNS` order ('' for a null field),
 * `shared` that row where every job has the same value ('' elsewhere), `varying` the other
 * positions (1-based) and `rows` each job's values at those. `jobs` as the core's `storedJob`
 * makes them, so the engine's own fields start at their initial values. Column by column, a
 * value like the previous job's is not encoded again.
 */
export function newJobsArg(jobs: readonly Job[], fresh: readonly string[]): string {
  const n = jobs.length;
  const shared: string[] = [];
  const varying: number[] = [];
  const columns: string[][] = [];
  const add = (pos: number, col: string[] | null, first: string): void => {
    shared.push(col ? '' : first);
    if (col) {
      varying.push(pos);
      columns.push(col);
    }
  };
  add(1, fresh.some((f) => f !== fresh[0]) ? fresh.slice() : null, fresh[0]!);
  for (let i = 0; i < JOB_FIELD_NAMES.length; i++) {
    const name = JOB_FIELD_NAMES[i]!;
    let prev = (jobs[0] as unknown as Record<string, unknown>)[name];
    const first = columnText(i, prev);
    let text = first;
    let col: string[] | null = null;
    for (let j = 1; j < n; j++) {
      const v = (jobs[j] as unknown as Record<string, unknown>)[name];
      if (!sameRaw(v, prev)) text = columnText(i, v);
      prev = v;
      if (col) col.push(text);
      else if (text !== first) {
        col = new Array<string>(j).fill(first);
        col.push(text);
      }
    }
    add(i + 2, col, first);
  }
  const rows = jobs.map((_, j) => columns.map((c) => c[j]!));
  return JSON.stringify([shared, varying, rows]);
}

/** A failed attempt's error entry as stored JSON text. */
export function errorText(e: JobError): string {
  return JSON.stringify({ ...e, at: e.at.getTime() });
}

/** A JSON document (result, progress) as stored; '' for none. */
export function jsonText(v: unknown): string {
  return v === null || v === undefined ? '' : JSON.stringify(v);
}
