/**
 * The `jobs` table as the job record (`src/core/job-record.ts`) describes it: the PostgreSQL
 * type of each kind of value, the insert's columns as the engine sends them (one array
 * parameter per column; a column every job of a batch shares is sent once, `batch-columns.ts`),
 * the columns a claim returns, and the readers of rows and claims. Nothing here names a field.
 */
import { jobReader, type Decoders, type JobReader } from '../../backend/job-reader.js';
import {
  CLAIM_READ_FIELDS,
  ENQUEUE_FIELDS,
  JOB_FIELDS,
  JOB_FIELD_NAMES,
  type JobField,
  type JobFieldSpec,
} from '../../core/job-record.js';
import type { JobError, NewJob } from '../../core/job.js';
import { batchColumn, batchValueSql } from './batch-columns.js';

/** An entry (a job error, a retry) as stored in jsonb: its time as ISO text. */
type Stored<E> = Omit<E, 'at'> & { at: string };

/** JSON text of a value for a jsonb parameter; `undefined` is stored as JSON null. */
export function json(v: unknown): string {
  return JSON.stringify(v === undefined ? null : v);
}

/** A row's stored entries (errors, retries) with their times as Dates. */
export function entriesOf(entries: Stored<{ at: Date }>[] | null): { at: Date }[] {
  return entries && entries.length > 0 ? entries.map((e) => ({ ...e, at: new Date(e.at) })) : [];
}

/** A job error as stored JSON text (appended to `errors` by a failure). */
export function errorJson(e: JobError): string {
  return JSON.stringify({ ...e, at: e.at.toISOString() });
}

const same = (v: unknown): unknown => v;
const num = (v: unknown): unknown => (v === null ? null : Number(v));

/** Decoders of `pg`'s row objects: bigints come as text, times as Dates, jsonb parsed. */
const ROW_DECODERS: Decoders = {
  text: same,
  state: same,
  int: num,
  bool: same,
  time: same,
  json: (v) => v ?? null,
  tags: (v) => v ?? [],
  entries: (v) => entriesOf(v as Stored<{ at: Date }>[] | null),
};

/** Decoders of a claim's JSON arrays: times as ISO text. */
const CLAIMED_DECODERS: Decoders = {
  ...ROW_DECODERS,
  int: same,
  time: (v) => (v === null ? null : new Date(v as string)),
};

/** Reads a whole row of the jobs table (a `pg` row object). */
export const readJob: JobReader = jobReader(JOB_FIELD_NAMES, ROW_DECODERS, true);

/** Reads one job of a claim: its array of `CLAIMED_COLUMNS` values, with the claim's own values given. */
export const readClaimed: JobReader = jobReader(CLAIM_READ_FIELDS, CLAIMED_DECODERS);

/** The columns a claim returns of each job, in `CLAIM_READ_FIELDS` order. */
export const CLAIMED_COLUMNS: readonly string[] = CLAIM_READ_FIELDS.map((f) => JOB_FIELDS[f].column);

/** The PostgreSQL type of a field's column, as its insert parameter's elements are sent. */
function pgType(spec: JobFieldSpec): string {
  switch (spec.kind) {
    case 'int':
      return spec.wide ? 'bigint' : 'int';
    case 'bool':
      return 'boolean';
    case 'time':
      return 'timestamptz';
    // Tags travel as JSON too: a text[] parameter of text[] values would need a two-dimensional array.
    case 'json':
    case 'entries':
    case 'tags':
      return 'jsonb';
    default:
      return 'text';
  }
}

/** One column of the insert. */
interface InsertColumn {
  field: JobField;
  /** Column of the jobs table. */
  name: string;
  /** PostgreSQL type of one element of its parameter. */
  type: string;
  /** The value sent for one job. */
  value: (j: NewJob) => unknown;
}

function insertColumn(field: JobField): InsertColumn {
  const spec = JOB_FIELDS[field] as JobFieldSpec;
  const encoded = spec.kind === 'json' || spec.kind === 'tags' || spec.kind === 'entries';
  const get = (j: NewJob): unknown => j[field as keyof NewJob];
  return { field, name: spec.column, type: pgType(spec), value: encoded ? (j) => json(get(j)) : get };
}

/** The insert's columns in parameter order; the first (id) is never shared: it sets the row count. */
export const INSERT_COLUMNS: readonly InsertColumn[] = ENQUEUE_FIELDS.map(insertColumn);

/** Parameter number of the first value after the columns. */
export const AFTER_COLUMNS = INSERT_COLUMNS.length + 1;

/** The insert's column parameters for `jobs`, in `INSERT_COLUMNS` order (see `batchColumn`). */
export function insertParams(jobs: readonly NewJob[]): unknown[][] {
  return INSERT_COLUMNS.map((c, i) => (i === 0 ? jobs.map(c.value) : batchColumn(jobs, c.value)));
}

/**
 * The SQL value of insert column `i` for one row of `unnest(...) AS u` (see `batchValueSql`),
 * as the column stores it: tags, sent as JSON, become the `text[]` they are stored as.
 */
export function insertValueSql(i: number): string {
  const c = INSERT_COLUMNS[i]!;
  const value = i === 0 ? `u.${c.name}` : batchValueSql(i + 1, c.type, c.name);
  if (JOB_FIELDS[c.field].kind !== 'tags') return value;
  return `CASE WHEN (${value}) = '[]'::jsonb THEN '{}'::text[] ELSE ARRAY(SELECT jsonb_array_elements_text(${value})) END`;
}

/** The array parameter of column `name`, e.g. `$3::text[]` for the queues. */
export function insertParamSql(name: string): string {
  const i = INSERT_COLUMNS.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`no insert column ${name}`);
  return `$${i + 1}::${INSERT_COLUMNS[i]!.type}[]`;
}

/** A batch column an insert takes besides the job's own: its parameter, element type and name in `u`. */
export interface ExtraColumn {
  param: number;
  type: string;
  name: string;
}

/** `unnest($1::text[], …) AS u(id, …)` over the column parameters, then any `extra` ones. */
export function insertUnnestSql(extra: readonly ExtraColumn[] = []): string {
  const arrays = [
    ...INSERT_COLUMNS.map((c) => insertParamSql(c.name)),
    ...extra.map((e) => `$${e.param}::${e.type}[]`),
  ].join(', ');
  return `unnest(${arrays}) AS u(${[...INSERT_COLUMNS.map((c) => c.name), ...extra.map((e) => e.name)].join(', ')})`;
}
