/**
 * Events are stored one row per statement (in columns, or a JSON array of published events)
 * and notified once per row:
 * `<row seq> <types,…>` and, for small batches, a newline and the row's JSON array (see
 * `notifyEventsSql`). The header is read without parsing the JSON, so a listener whose
 * subscribers want none of the batch's types drops it for the price of a split.
 *
 * An event's seq is `row seq * 2^20 + its index in the row`: numeric, increasing, unique, and
 * it names its row for a replay. A row written before batching (one object) keeps its seq.
 */
import type { EventFilter, EventType, GantryEvent } from '../../core/events.js';

/** Events per row at most (a statement changes far fewer rows than this). */
const SEQ_SHIFT = 2 ** 20;

/** One notified batch of events. */
export interface EventBatch {
  /** The events row's seq. */
  row: string;
  types: EventType[];
  /** The row's JSON array when it came inline; null: read the row from the table. */
  body: string | null;
}

/** Parses a notification's payload; null when it is not one. */
export function parseBatch(payload: string): EventBatch | null {
  const nl = payload.indexOf('\n');
  const head = (nl < 0 ? payload : payload.slice(0, nl)).split(' ');
  if (head.length !== 2 || !/^\d+$/.test(head[0]!)) return null;
  return { row: head[0]!, types: head[1]!.split(',') as EventType[], body: nl < 0 ? null : payload.slice(nl + 1) };
}

/** True when some event of a batch with these `types` may pass `filter`. */
export function mayMatch(types: EventType[], filter: EventFilter | undefined): boolean {
  const wanted = filter?.types;
  if (!wanted || wanted.length === 0) return true;
  return types.some((t) => wanted.includes(t));
}

/** A row in columns (see `storeEventsCte`): `at`, then per field one value or one per job. */
interface ColumnRow {
  at: number;
  jobId: string[];
  [field: string]: unknown;
}

function isColumnRow(data: unknown): data is ColumnRow {
  return typeof data === 'object' && data !== null && Array.isArray((data as ColumnRow).jobId);
}

/** Expands a row in columns into its events; null values are left out, as `jobEvent` does. */
function columnEvents(base: number, data: ColumnRow): GantryEvent[] {
  const fields = Object.entries(data).filter(([k]) => k !== 'at');
  return data.jobId.map((_, i) => {
    const e: Record<string, unknown> = { seq: String(base + i), at: data.at };
    for (const [k, v] of fields) {
      const value: unknown = Array.isArray(v) ? v[i] : v;
      if (value !== null && value !== undefined) e[k] = value;
    }
    return e as unknown as GantryEvent;
  });
}

/**
 * The events of one stored row (its `data`), each with its seq. A row is a statement's
 * events in columns, a JSON array of events (published ones), or one event (older rows).
 */
export function rowEvents(row: string, data: unknown): GantryEvent[] {
  const base = Number(row) * SEQ_SHIFT;
  if (isColumnRow(data)) return columnEvents(base, data);
  if (!Array.isArray(data)) return [{ ...(data as GantryEvent), seq: row }];
  return (data as GantryEvent[]).map((e, i) => ({ ...e, seq: String(base + i) }));
}

/** The inline events of a batch; null when the body is missing or not a batch. */
export function inlineEvents(batch: EventBatch): GantryEvent[] | null {
  if (batch.body === null) return null;
  try {
    const v: unknown = JSON.parse(batch.body);
    return Array.isArray(v) || isColumnRow(v) ? rowEvents(batch.row, v) : null;
  } catch {
    return null;
  }
}

/** The row holding the event `seq` (rows read for a replay start there). */
export function rowOfSeq(seq: string): string {
  return /^\d+$/.test(seq) ? String(Math.floor(Number(seq) / SEQ_SHIFT)) : '0';
}

/** The highest seq an event of `row` can have. */
export function lastSeqOfRow(row: string): string {
  return String((Number(row) + 1) * SEQ_SHIFT - 1);
}
