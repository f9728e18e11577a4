/**
 * The `jobs` table as the job record (`src/core/job-record.ts`) describes it: how each kind of
 * value is stored (times as ms integers, booleans as 0/1, documents as JSON text), the column
 * lists and SQL fragments the statements use, and the readers of its rows. Nothing here names a
 * field: a new field of the record needs only its migration.
 */
import { jobReader, type Decoders, type JobReader } from '../../backend/job-reader.js';
import {
  CLAIM_READ_FIELDS,
  ENQUEUE_FIELDS,
  JOB_FIELDS,
  JOB_FIELD_NAMES,
  type JobField,
  type JobFieldKind,
} from '../../core/job-record.js';
import type { JobError, NewJob } from '../../core/job.js';

/** An entry (a job error, a retry) as stored: its time as ms. */
type Stored<E> = Omit<E, 'at'> & { at: number };
type StoredError = Stored<JobError>;

const column = (f: JobField): string => JOB_FIELDS[f].column;

/** Every column of a job row, in `JOB_FIELDS` order: what `SELECT ${JOB_SELECT}` returns. */
export const JOB_COLUMNS: readonly string[] = JOB_FIELD_NAMES.map(column);

/** The select list of whole job rows, each column qualified with `table`. */
export function jobSelect(table = 'jobs'): string {
  return JOB_COLUMNS.map((c) => `${table}.${c}`).join(', ');
}

/** Parses stored JSON text, skipping the parser for the empty values most rows hold. */
function parseJson(text: unknown): unknown {
  if (text === null) return null;
  if (text === '[]') return [];
  if (text === '{}') return {};
  return JSON.parse(text as string);
}

const withDates = (entries: Stored<{ at: Date }>[]): { at: Date }[] =>
  entries.map((e) => ({ ...e, at: new Date(e.at) }));
const date = (v: unknown): Date | null => (v === null ? null : new Date(v as number));
const same = (v: unknown): unknown => v;

/** Decoders of the table's columns. */
const COLUMN_DECODERS: Decoders = {
  text: same,
  state: same,
  int: same,
  bool: (v) => v === 1,
  time: date,
  json: parseJson,
  tags: parseJson,
  entries: (v) => withDates(parseJson(v) as Stored<{ at: Date }>[]),
};

/** Decoders of a claim's JSON array, whose documents are already parsed (see `CLAIMED_JSON`). */
const CLAIMED_DECODERS: Decoders = {
  ...COLUMN_DECODERS,
  json: same,
  tags: same,
  entries: (v) => withDates(v as Stored<{ at: Date }>[]),
};

/** Reads a whole job row (raw mode, `JOB_COLUMNS` order). */
export const readJob: JobReader = jobReader(JOB_FIELD_NAMES, COLUMN_DECODERS);

/** Reads one job of a claim: its `CLAIMED_JSON` array, with the claim's own values given. */
export const readClaimed: JobReader = jobReader(CLAIM_READ_FIELDS, CLAIMED_DECODERS);

/** The SQL of one claimed value inside the JSON array: text quoted, documents as stored. */
function claimedValueSql(kind: JobFieldKind, col: string, nullable: boolean): string {
  if (kind === 'text' || kind === 'state') return `json_quote(${col})`;
  return nullable ? `coalesce(${col}, 'null')` : col;
}

/**
 * What a claim returns per job: one JSON array of `CLAIM_READ_FIELDS`, not the row's columns.
 * better-sqlite3 spends time turning each column into a JS value, so one text per row that
 * `JSON.parse` reads at once costs less (docs/benchmarks.md, "Measurements behind the design"). The array is joined (`concat_ws`), not
 * built with `json_array`: the stored documents are JSON text Gantry wrote, so they go in as
 * they are instead of being parsed and written again by SQLite's JSON functions.
 */
export const CLAIMED_JSON = `'[' || concat_ws(',', ${CLAIM_READ_FIELDS.map((f) =>
  claimedValueSql(JOB_FIELDS[f].kind, column(f), JOB_FIELDS[f].nullable),
).join(', ')}) || ']'`;

/** Encodes one value of a kind for its column. */
function encode(kind: JobFieldKind, v: unknown): unknown {
  switch (kind) {
    case 'bool':
      return v ? 1 : 0;
    case 'time':
      return v === null ? null : (v as Date).getTime();
    case 'json':
    case 'tags':
      return JSON.stringify(v ?? null);
    case 'entries':
      return JSON.stringify((v as { at: Date }[]).map(entryStored));
    default:
      return v;
  }
}

const ENQUEUE_KINDS = ENQUEUE_FIELDS.map((f) => JOB_FIELDS[f].kind);

/** The columns of the insert, in `ENQUEUE_FIELDS` order. */
export const INSERT_COLUMNS: readonly string[] = ENQUEUE_FIELDS.map(column);

/**
 * The values of `jobInsert`, in `INSERT_COLUMNS` order. Positional, not named: binding 17
 * named parameters was a large share of an insert (docs/benchmarks.md, "Measurements behind the design").
 */
export function insertValues(j: NewJob): unknown[] {
  const out = new Array<unknown>(ENQUEUE_FIELDS.length);
  for (let i = 0; i < ENQUEUE_FIELDS.length; i++)
    out[i] = encode(ENQUEUE_KINDS[i]!, j[ENQUEUE_FIELDS[i]! as keyof NewJob]);
  return out;
}

/** An entry as stored. */
function entryStored<E extends { at: Date }>(e: E): Stored<E> {
  return { ...e, at: e.at.getTime() };
}

/** A job error as its stored JSON text (appended to `errors` by a failure). */
export function errorText(e: JobError): string {
  const stored: StoredError = entryStored(e);
  return JSON.stringify(stored);
}
