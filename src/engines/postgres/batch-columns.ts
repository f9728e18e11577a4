/**
 * Batch statements take one array parameter per column and `unnest` them into rows. A column
 * whose value every item shares (the worker of a completion batch, the queue and options of an
 * `enqueueMany`) is sent as a one-element array that the statement repeats for every row:
 * escaping and parsing hundreds of copies of one value was a large share of a batch enqueue, on
 * each side (docs/benchmarks.md, "Measurements behind the design"). The first column of a statement (the ids) is never shared: it sets the row count.
 */

/** Values compare by content: dates by time, everything else as sent. */
const key = (v: unknown): unknown => (v instanceof Date ? v.getTime() : v);

/** One column's parameter: every item's value, or one element when all are the same. */
export function batchColumn<T>(items: readonly T[], value: (item: T) => unknown): unknown[] {
  const first = value(items[0]!);
  const values = [first];
  let same = true;
  for (let i = 1; i < items.length; i++) {
    const v = value(items[i]!);
    values.push(v);
    if (same && key(v) !== key(first)) same = false;
  }
  return same ? [first] : values;
}

/**
 * The SQL value of column `name` of the unnested row `u`, sent as parameter `$n` (an array of
 * `type`): its one element when it has one, else the row's own.
 */
export function batchValueSql(n: number, type: string, name: string): string {
  const p = `$${n}::${type}[]`;
  return `CASE WHEN cardinality(${p}) = 1 THEN (${p})[1] ELSE u.${name} END`;
}

/**
 * The same for a column that is never NULL, as `coalesce(u.name, first element)`: it refers to
 * the row, so a fence like `j.worker_id = …` stays a join clause and the jobs are looked up by
 * id. Written as the `CASE` above it depends on parameters alone, and a plan made with
 * statistics from before any job ran filtered the whole jobs table on it first (seen with EXPLAIN;
 * docs/benchmarks.md, "Measurements behind the design").
 */
export function batchKeySql(n: number, type: string, name: string): string {
  return `coalesce(u.${name}, ($${n}::${type}[])[1])`;
}
