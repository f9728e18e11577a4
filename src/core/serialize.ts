/** JSON forms of jobs, shared by the CLI (`--json`), the HTTP API and the dashboard's types. */
import { JOB_FIELDS, JOB_FIELD_NAMES, type JobField } from './job-record.js';
import type { Job, JobError } from './job.js';

/** The fields of the job record whose kind is `time`. */
type TimeField = { [K in JobField]: (typeof JOB_FIELDS)[K]['kind'] extends 'time' ? K : never }[JobField];

/** A job error as JSON: its time as ISO 8601 text. */
export type JobErrorJson = Omit<JobError, 'at'> & { at: string };

/** A job as JSON: the job record's field names, times as ISO 8601 text. */
export type JobJson<P = unknown, R = unknown> = {
  [K in keyof Job<P, R>]: K extends TimeField
    ? null extends Job[K]
      ? string | null
      : string
    : K extends 'errors'
      ? JobErrorJson[]
      : Job<P, R>[K];
};

const TIME_FIELDS = JOB_FIELD_NAMES.filter((f) => JOB_FIELDS[f].kind === 'time') as TimeField[];

/** Converts a job to its JSON form. */
export function jobToJson(job: Job): JobJson {
  const out = { ...job } as Record<string, unknown>;
  for (const f of TIME_FIELDS) out[f] = job[f] === null ? null : job[f].toISOString();
  out.errors = job.errors.map((e) => ({ ...e, at: e.at.toISOString() }));
  return out as JobJson;
}
