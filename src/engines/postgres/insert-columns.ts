/**
 * The columns of a job insert, as the statement reads them and as the engine sends them: one
 * array parameter per column, in this order; a column every job shares (usually all but id and
 * payload) is sent once (`batch-columns.ts`).
 */
import type { NewJob } from '../../core/job.js';
import { batchColumn, batchValueSql } from './batch-columns.js';
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
  col('delete_on_complete', 'boolean', (j) => j.deleteOnComplete),
  col('created_at', 'timestamptz', (j) => j.createdAt),
  // Tags travel as JSON: a text[] parameter of text[] values would need a two-dimensional array.
  col('tags', 'jsonb', (j) => json(j.tags)),
  col('metadata', 'jsonb', (j) => json(j.metadata)),
];

/** Parameter number of the first value after the columns. */
export const AFTER_COLUMNS = INSERT_COLUMNS.length + 1;

/** The insert's column parameters for `jobs`, in `INSERT_COLUMNS` order (see `batchColumn`). */
export function insertParams(jobs: readonly NewJob[]): unknown[][] {
  return INSERT_COLUMNS.map((c, i) => (i === 0 ? jobs.map(c.value) : batchColumn(jobs, c.value)));
}

/** The SQL expression of column `i` for one row of `unnest(...) AS u` (see `batchValueSql`). */
export function insertValueSql(i: number): string {
  const c = INSERT_COLUMNS[i]!;
  return i === 0 ? `u.${c.name}` : batchValueSql(i + 1, c.type, c.name);
}

/** The array parameter of column `name`, e.g. `$3::text[]` for the queues. */
export function insertParamSql(name: string): string {
  const i = INSERT_COLUMNS.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`no insert column ${name}`);
  return `$${i + 1}::${INSERT_COLUMNS[i]!.type}[]`;
}

/** `unnest($1::text[], …) AS u(id, …)` over the column parameters. */
export function insertUnnestSql(): string {
  const arrays = INSERT_COLUMNS.map((c) => insertParamSql(c.name)).join(', ');
  return `unnest(${arrays}) AS u(${INSERT_COLUMNS.map((c) => c.name).join(', ')})`;
}
