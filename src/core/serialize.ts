/** JSON forms of jobs, shared by the CLI (`--json`), the HTTP API and the dashboard's types. */
import { JOB_FIELDS, JOB_FIELD_NAMES, type JobField } from './job-record.js';
import type { Job, JobError } from './job.js';

/** The fields of the job record whose kind is `time`. */
type TimeField = { [K in JobField]: (typeof JOB_FIELDS)[K]['kind'] extends 'time' ? K : never }[JobField];
/** The fields of the job record whose kind is `entries` (lists of objects with a time `at`). */
type EntriesField = { [K in JobField]: (typeof JOB_FIELDS)[K]['kind'] extends 'entries' ? K : never }[JobField];

/** An entry of a list (an error, a retry) as JSON: its time as ISO 8601 text. */
export type EntryJson<E> = Omit<E, 'at'> & { at: string };

/** A job error as JSON. */
export type JobErrorJson = EntryJson<JobError>;

/** A job as JSON: the job record's field names, times as ISO 8601 text. */
export type JobJson<P = unknown, R = unknown> = {
  [K in keyof Job<P, R>]: K extends TimeField
    ? null extends Job[K]
      ? string | null
      : string
    : K extends EntriesField
      ? Job[K] extends (infer E)[]
        ? EntryJson<E>[]
        : never
      : Job<P, R>[K];
};

const TIME_FIELDS = JOB_FIELD_NAMES.filter((f) => JOB_FIELDS[f].kind === 'time') as TimeField[];
const ENTRIES_FIELDS = JOB_FIELD_NAMES.filter((f) => JOB_FIELDS[f].kind === 'entries') as EntriesField[];

/** Converts a job to its JSON form. */
export function jobToJson(job: Job): JobJson {
  const out = { ...job } as Record<string, unknown>;
  for (const f of TIME_FIELDS) out[f] = job[f] === null ? null : job[f].toISOString();
  for (const f of ENTRIES_FIELDS) out[f] = (job[f] as { at: Date }[]).map((e) => ({ ...e, at: e.at.toISOString() }));
  return out as JobJson;
}
