/**
 * The columns of a job insert, as the statement reads them and as the engine sends them: one
 * array parameter per column, in this order.
 *
 * A column whose value is the same for every job of the batch (the type, queue, options and
 * times of an `enqueueMany`, usually everything but id and payload) is sent as a one-element
 * array that the statement repeats for every row. Escaping and parsing a thousand copies of the
 * same value was about a third of a 1000-job enqueue's cost, on both sides.
 */
import type { NewJob } from '../../core/job.js';
import { json } from './rows.js';

interface InsertColumn {
  /** Column of the jobs table. */
  name: string;
  /** PostgreSQL type of one element. */
  type: string;
  /** The value sent for one job. */
  value: (j: NewJob) => unknown;
}

const col = (name: string, type: string, value: InsertColumn['value']): InsertColumn => ({ name, type, value });

/** The insert's columns in parameter order; the first (id) is never shared: it sets the row count. */
export const INSERT_COLUMNS: readonly InsertColumn[] = [
  col('id', 'text', (j) => j.id),
  col('type', 'text', (j) => j.type),
  col('queue', 'text', (j) => j.queue),
  col('payload', 'jsonb', (j) => json(j.payload)),
  col('priority', 'int', (j) => j.priority),
  col('state', 'text', (j) => j.state),
  col('max_attempts', 'int', (j) => j.maxAttempts),
  col('backoff', 'jsonb', (j) => json(j.backoff)),
  col('timeout_ms', 'bigint', (j) => j.timeoutMs),
  col('run_at', 'timestamptz', (j) => j.runAt),
  col('deadline', 'timestamptz', (j) => j.deadline),
  col('unique_key', 'text', (j) => j.uniqueKey),
  col('unique_window_ms', 'bigint', (j) => j.uniqueWindowMs),
  col('created_at', 'timestamptz', (j) => j.createdAt),
  // Tags travel as JSON: a text[] parameter of text[] values would need a two-dimensional array.
  col('tags', 'jsonb', (j) => json(j.tags)),
  col('metadata', 'jsonb', (j) => json(j.metadata)),
];

/** Parameter number of the first value after the columns. */
export const AFTER_COLUMNS = INSERT_COLUMNS.length + 1;

/** Values compare by content: dates by time, everything else as sent. */
const key = (v: unknown): unknown => (v instanceof Date ? v.getTime() : v);

/** One column's parameter: the whole array, or one element when every job has the same value. */
function columnParam(jobs: readonly NewJob[], c: InsertColumn, shareable: boolean): unknown[] {
  const first = c.value(jobs[0]!);
  const values = [first];
  let same = shareable;
  for (let i = 1; i < jobs.length; i++) {
    const v = c.value(jobs[i]!);
    values.push(v);
    if (same && key(v) !== key(first)) same = false;
  }
  return same ? [first] : values;
}

/** The insert's column parameters for `jobs`, in `INSERT_COLUMNS` order. */
export function insertParams(jobs: readonly NewJob[]): unknown[][] {
  return INSERT_COLUMNS.map((c, i) => columnParam(jobs, c, i > 0));
}

/**
 * The SQL expression of column `i` for one row of `unnest(...) AS u`: the shared value when its
 * array has one element, else the row's own.
 */
export function insertValueSql(i: number): string {
  const c = INSERT_COLUMNS[i]!;
  if (i === 0) return `u.${c.name}`;
  const p = `$${i + 1}::${c.type}[]`;
  return `CASE WHEN cardinality(${p}) = 1 THEN (${p})[1] ELSE u.${c.name} END`;
}

/** `unnest($1::text[], …) AS u(id, …)` over the column parameters. */
export function insertUnnestSql(): string {
  const arrays = INSERT_COLUMNS.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  return `unnest(${arrays}) AS u(${INSERT_COLUMNS.map((c) => c.name).join(', ')})`;
}
