/** Reads: one job, filtered pages, counts by queue and state. */
import type { JobFilter } from '../../backend/backend.js';
import { MAX_SUFFIX_MATCHES, REDIS_LIST_SCAN_BUDGET } from '../../core/constants.js';
import { idTail, pageOf, textFilteredPage, type JobPage } from '../../core/job-filter.js';
import type { Job } from '../../core/job.js';
import type { StateCounts } from '../../core/queue-rules.js';
import { run, type Ctx } from './context.js';
import { readRecord } from './job-codec.js';
import { queueRows } from './queue-rows.js';

const records = (recs: unknown[]): Job[] => recs.map(readRecord).filter((j): j is Job => j !== null);

/** One job, or `null`. */
export async function jobGet(ctx: Ctx, p: { id: string }): Promise<Job | null> {
  const [rec] = await run<unknown[]>(ctx, 'jobs-get', [p.id]);
  return readRecord(rec);
}

/** Up to `limit` jobs after `cursor` passing every filter but `text` and `ids`, and where the scan stopped. */
async function scan(ctx: Ctx, f: JobFilter, cursor: string | null, limit: number): Promise<JobPage> {
  const filter = JSON.stringify({
    states: f.states?.length ? f.states : undefined,
    queues: f.queues?.length ? f.queues : undefined,
    types: f.types?.length ? f.types : undefined,
    tags: f.tags?.length ? f.tags : undefined,
  });
  const [recs, next] = await run<[unknown[], string | null]>(ctx, 'jobs-list', [
    cursor ?? '',
    limit,
    REDIS_LIST_SCAN_BUDGET,
    filter,
  ]);
  return { jobs: records(recs), nextCursor: next };
}

/** Up to `n` jobs after `cursor` passing the other filters, scanning as far as it takes (for text pages). */
async function fetchAll(ctx: Ctx, f: JobFilter, cursor: string | null, n: number): Promise<Job[]> {
  const jobs: Job[] = [];
  let at = cursor;
  while (jobs.length < n) {
    const page = await scan(ctx, f, at, n - jobs.length);
    jobs.push(...page.jobs);
    if (page.nextCursor === null) break;
    at = page.nextCursor;
  }
  return jobs;
}

/** Glob characters of a `MATCH` pattern, escaped. */
const globEscape = (s: string): string => s.replace(/[*?[\]\\]/g, '\\$&');

/**
 * A page of jobs, newest id first. Ids and id tails are looked up directly; a text filter is
 * applied by the core's `textFilteredPage`; other filters are checked in the script, which
 * looks at a bounded number of jobs per page.
 */
export async function jobsList(
  ctx: Ctx,
  p: { filter?: JobFilter; limit: number; cursor?: string | null },
): Promise<JobPage> {
  const f = p.filter ?? {};
  const cursor = p.cursor ?? null;
  if (f.idSuffix) {
    idTail(f.idSuffix); // refuses a suffix too short, as every engine does
    const recs = await run<unknown[]>(ctx, 'jobs-by-suffix', [`*${globEscape(f.idSuffix)}`, MAX_SUFFIX_MATCHES]);
    return pageOf(records(recs), f, p.limit, cursor);
  }
  if (f.ids?.length) return pageOf(records(await run<unknown[]>(ctx, 'jobs-get', f.ids)), f, p.limit, cursor);
  if (f.text) {
    return textFilteredPage({ text: f.text, limit: p.limit, cursor, fetch: (c, n) => fetchAll(ctx, f, c, n) });
  }
  return scan(ctx, f, cursor, p.limit);
}

/** Counts by state for every known queue, or those named. */
export async function jobsCount(ctx: Ctx, p: { queues?: string[] }): Promise<Record<string, StateCounts>> {
  if (p.queues && p.queues.length === 0) return {};
  const out: Record<string, StateCounts> = {};
  for (const r of await queueRows(ctx, p.queues)) out[r.name] = r.counts;
  return out;
}
