/**
 * The job record (`src/core/job-record.ts`) as a Redis hash: one field per column of the
 * record, each value a string (times as ms, booleans as 1/0, documents as JSON text), a null
 * value an absent field. Scripts return records as the `JOB_COLUMNS` values in order. Nothing
 * here names a field: a new field of the record needs no change.
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

/** How each kind of value is read back. */
const DECODERS: Decoders = {
  text: nullOr((v) => v),
  state: nullOr((v) => v),
  int: nullOr(Number),
  bool: (v) => v === '1',
  time: nullOr((v) => new Date(Number(v))),
  json: nullOr(parseJson),
  tags: nullOr(parseJson),
  entries: nullOr(entriesIn),
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
  tags: same,
  entries: nullOr((v) => (v as Stored<{ at: Date }>[]).map((e) => ({ ...e, at: new Date(e.at) }))),
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

/** Encodes one value of a kind as stored; '' for null (an absent field). */
export function encodeValue(kind: JobFieldKind, v: unknown): string {
  if (v === null || v === undefined) return kind === 'json' ? 'null' : '';
  switch (kind) {
    case 'bool':
      return v ? '1' : '0';
    case 'time':
      return String((v as Date).getTime());
    case 'json':
    case 'tags':
      return JSON.stringify(v);
    case 'entries':
      return JSON.stringify((v as { at: Date }[]).map((e) => ({ ...e, at: e.at.getTime() })));
    default:
      return String(v);
  }
}

const KINDS = JOB_FIELD_NAMES.map((f) => JOB_FIELDS[f].kind);
const NULLABLE = JOB_FIELD_NAMES.map((f) => JOB_FIELDS[f].nullable);

/**
 * The values of a new job's record, in `JOB_COLUMNS` order ('' for a null field): `job` as the
 * core's `storedJob` makes it from the `NewJob`, so the engine's own fields start at their
 * initial values.
 */
export function newJobValues(job: Job, out: string[]): void {
  const fields = job as unknown as Record<string, unknown>;
  for (let i = 0; i < JOB_FIELD_NAMES.length; i++) {
    const v = fields[JOB_FIELD_NAMES[i]!];
    // A nullable document that is null is an absent field; a required one stores `null`.
    out.push(v === null && NULLABLE[i] ? '' : encodeValue(KINDS[i]!, v));
  }
}

/** A failed attempt's error entry as stored JSON text. */
export function errorText(e: JobError): string {
  return JSON.stringify({ ...e, at: e.at.getTime() });
}

/** A JSON document (result, progress) as stored; '' for none. */
export function jsonText(v: unknown): string {
  return v === null || v === undefined ? '' : JSON.stringify(v);
}
