/**
 * Row readers derived from the job record (`src/core/job-record.ts`). An engine says how it
 * decodes each kind of value and which fields its row holds, in which order; the reader
 * turns such a row (an array of values) into a `Job` with every field, by name.
 */
import { JOB_FIELDS, JOB_FIELD_NAMES, type JobField, type JobFieldKind } from '../core/job-record.js';
import type { Job } from '../core/job.js';

/** Turns a stored value of one kind into the record's value; `null` stays `null`. */
export type Decoder = (value: unknown) => unknown;

/** How an engine decodes each kind of value in one kind of row. */
export type Decoders = Readonly<Record<JobFieldKind, Decoder>>;

/**
 * Reads a row into a `Job`. `given` holds the fields the row does not (a claim's own values:
 * state, worker, lease, start time); any field neither in the row nor given is `null`.
 */
export type JobReader = (row: readonly unknown[] | Readonly<Record<string, unknown>>, given?: Partial<Job>) => Job;

/**
 * Makes the reader of rows holding `fields`: arrays of their values in that order, or with
 * `byColumn` objects keyed by each field's `column` (a driver's row objects). The reader is
 * compiled once into one object literal with every field in `JOB_FIELDS` order: it runs for
 * every job a claim returns, and a literal builds the record faster than setting the keys one by
 * one, and gives every `Job` the same shape.
 */
export function jobReader(fields: readonly JobField[], decoders: Decoders, byColumn = false): JobReader {
  const position = new Map(fields.map((f, i) => [f, i]));
  const decode: Decoder[] = [];
  const parts = JOB_FIELD_NAMES.map((name) => {
    const i = position.get(name);
    if (i === undefined) return `${name}: g === undefined || g.${name} === undefined ? null : g.${name}`;
    decode.push(decoders[JOB_FIELDS[name].kind]);
    const value = byColumn ? `a[${JSON.stringify(JOB_FIELDS[name].column)}]` : `a[${i}]`;
    return `${name}: d[${decode.length - 1}](${value})`;
  });
  // The source is made from the field names of JOB_FIELDS only, never from input.
  const make = new Function('d', `return function readJob(a, g) { return { ${parts.join(', ')} }; };`);
  return make(decode) as JobReader;
}

/** Every field, for readers of whole rows. */
export const ALL_JOB_FIELDS: readonly JobField[] = JOB_FIELD_NAMES;
