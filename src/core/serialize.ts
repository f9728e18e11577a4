/** JSON forms of jobs, shared by the CLI (`--json`) and the HTTP API. */
import type { Job } from './job.js';

/** A job as JSON: DESIGN §2 field names, times as ISO 8601 text. */
export type JobJson = Omit<
  Job,
  'runAt' | 'deadline' | 'leaseUntil' | 'createdAt' | 'startedAt' | 'finishedAt' | 'errors'
> & {
  runAt: string;
  deadline: string | null;
  leaseUntil: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  errors: (Omit<Job['errors'][number], 'at'> & { at: string })[];
};

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Converts a job to its JSON form. */
export function jobToJson(job: Job): JobJson {
  return {
    ...job,
    runAt: job.runAt.toISOString(),
    deadline: iso(job.deadline),
    leaseUntil: iso(job.leaseUntil),
    createdAt: job.createdAt.toISOString(),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    errors: job.errors.map((e) => ({ ...e, at: e.at.toISOString() })),
  };
}
