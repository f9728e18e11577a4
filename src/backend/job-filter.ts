/**
 * `JobFilter` applied to jobs already read, for an engine that narrows by one filter through an
 * index (the id tail of `idSuffix`) and checks the rest on the few rows found. The same rules
 * as the SQL engines' list statements, written once.
 */
import { SHORT_ID_LENGTH } from '../core/constants.js';
import { ValidationError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import type { JobFilter } from './backend.js';

/** True when `job` passes every field of `f` (`idSuffix` included). */
export function jobMatches(job: Job, f: JobFilter): boolean {
  if (f.states?.length && !f.states.includes(job.state)) return false;
  if (f.queues?.length && !f.queues.includes(job.queue)) return false;
  if (f.types?.length && !f.types.includes(job.type)) return false;
  if (f.ids?.length && !f.ids.includes(job.id)) return false;
  if (f.tags?.length && !f.tags.every((t) => job.tags.includes(t))) return false;
  if (f.idSuffix && !job.id.endsWith(f.idSuffix)) return false;
  if (f.text) {
    const hay = `${job.id} ${job.type} ${JSON.stringify(job.payload)}`.toLowerCase();
    if (!hay.includes(f.text.toLowerCase())) return false;
  }
  return true;
}

/**
 * One page, newest id first, of `jobs` (any order) that pass `f`, after `cursor` (the last id of
 * the page before), as `Backend.jobsList` returns it.
 */
export function pageOf(
  jobs: Job[],
  f: JobFilter,
  limit: number,
  cursor: string | null,
): { jobs: Job[]; nextCursor: string | null } {
  const all = jobs
    .filter((j) => jobMatches(j, f) && (cursor === null || j.id < cursor))
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const page = all.slice(0, limit);
  return { jobs: page, nextCursor: all.length > limit ? page.at(-1)!.id : null };
}

/**
 * The last `SHORT_ID_LENGTH` characters of a filter's `idSuffix`: what an engine's id-tail
 * index holds. Throws `ValidationError` for a suffix too short to use it.
 */
export function idTail(suffix: string): string {
  if (suffix.length < SHORT_ID_LENGTH) {
    throw new ValidationError(
      `a short id needs at least ${SHORT_ID_LENGTH} characters of the job id's end, got ${JSON.stringify(suffix)}`,
    );
  }
  return suffix.slice(-SHORT_ID_LENGTH);
}

/** Most jobs an engine reads for one `idSuffix` before filtering the rest (a tail matches very few). */
export const MAX_SUFFIX_MATCHES = 1000;
