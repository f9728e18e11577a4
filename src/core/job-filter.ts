/**
 * What a job filter matches, once for every engine: `text` (always applied here, in the
 * process), and every other field for an engine that narrows by one index and checks the rest
 * on the few jobs it read (a short id's tail); and the scans that do so page by page.
 */
import type { JobFilter } from '../backend/backend.js';
import { SHORT_ID_LENGTH } from './constants.js';
import { ValidationError } from './errors.js';
import type { Job } from './job.js';

/** Jobs an engine looks at for one text-filtered page before it answers with a short page. */
export const TEXT_SCAN_BUDGET = 2_000;

/** The case folding of text filters: Unicode's lowercase mapping, the same in every engine. */
export function foldCase(text: string): string {
  return text.toLowerCase();
}

/** True when `needle` (already folded) is in one string, number or object key of `value`. */
function valueHas(value: unknown, needle: string): boolean {
  if (typeof value === 'string') return foldCase(value).includes(needle);
  if (typeof value === 'number') return String(value).includes(needle);
  if (Array.isArray(value)) return value.some((v) => valueHas(v, needle));
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (foldCase(k).includes(needle) || valueHas(v, needle)) return true;
    }
  }
  return false;
}

/**
 * True when `text` is a substring of the job's id, of its type, or of one string or number in
 * its payload (a value or an object key, each on its own, never across two), with both sides
 * case folded by `foldCase`. JSON punctuation and spacing are not part of any value, so the
 * result does not depend on how an engine stores the payload. Numbers are read as JavaScript
 * writes them (`String(n)`).
 */
export function jobMatchesText(job: Pick<Job, 'id' | 'type' | 'payload'>, text: string): boolean {
  const needle = foldCase(text);
  return foldCase(job.id).includes(needle) || foldCase(job.type).includes(needle) || valueHas(job.payload, needle);
}

/** A page of jobs and the cursor of the next one. */
export interface JobPage {
  jobs: Job[];
  nextCursor: string | null;
}

/**
 * One page of a text-filtered list, for an engine that filters the other fields itself:
 * `fetch(cursor, n)` gives up to `n` jobs after `cursor` (newest first, the other filters
 * applied); the scan keeps those `jobMatchesText` takes until `limit` are found or `budget`
 * were looked at. Then the page may be short, and its cursor is the last job looked at. While
 * `fetch` answers synchronously (an embedded engine), so does this.
 */
export function textFilteredPage(p: {
  text: string;
  limit: number;
  cursor: string | null;
  fetch: (cursor: string | null, n: number) => Job[] | Promise<Job[]>;
  budget?: number;
}): JobPage | Promise<JobPage> {
  const budget = p.budget ?? TEXT_SCAN_BUDGET;
  const jobs: Job[] = [];
  let cursor = p.cursor;
  let looked = 0;
  /** Takes one fetched batch of `n`; the page when the scan is over, else `null`. */
  const take = (batch: Job[], n: number): JobPage | null => {
    for (const job of batch) {
      looked++;
      cursor = job.id;
      if (!jobMatchesText(job, p.text)) continue;
      jobs.push(job);
      if (jobs.length === p.limit) return { jobs, nextCursor: job.id };
    }
    if (batch.length < n) return { jobs, nextCursor: null };
    return looked >= budget ? { jobs, nextCursor: cursor } : null;
  };
  const scan = (): JobPage | Promise<JobPage> => {
    for (;;) {
      const n = Math.min(budget - looked, Math.max(p.limit * 4, 200));
      const batch = p.fetch(cursor, n);
      if (batch instanceof Promise) return batch.then((b) => take(b, n) ?? scan());
      const page = take(batch, n);
      if (page) return page;
    }
  };
  return scan();
}

/** True when `job` passes every field of `f` (`idSuffix` and `text` included). */
export function jobMatches(job: Job, f: JobFilter): boolean {
  if (f.states?.length && !f.states.includes(job.state)) return false;
  if (f.queues?.length && !f.queues.includes(job.queue)) return false;
  if (f.types?.length && !f.types.includes(job.type)) return false;
  if (f.ids?.length && !f.ids.includes(job.id)) return false;
  if (f.tags?.length && !f.tags.every((t) => job.tags.includes(t))) return false;
  if (f.idSuffix && !job.id.endsWith(f.idSuffix)) return false;
  if (f.text && !jobMatchesText(job, f.text)) return false;
  return true;
}

/**
 * One page, newest id first, of `jobs` (any order) that pass `f`, after `cursor` (the last id of
 * the page before), as `Backend.jobsList` answers it.
 */
export function pageOf(jobs: Job[], f: JobFilter, limit: number, cursor: string | null): JobPage {
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
