/** Reads: one job, filtered pages, counts by queue and state. */
import type { JobFilter } from '../../backend/backend.js';
import { idTail, pageOf, textFilteredPage } from '../../core/job-filter.js';
import type { Job, JobState } from '../../core/job.js';
import { emptyStateCounts, type StateCounts } from '../../core/queue-rules.js';
import { readJob } from './job-columns.js';
import type { Store } from './store.js';

/** One job, or `null`. */
export function jobGet(s: Store, p: { id: string }): Job | null {
  const row = s.st.jobGet.get(p.id) as unknown[] | undefined;
  return row ? readJob(row) : null;
}

const listParam = (v: string[] | undefined): string | null => (v && v.length > 0 ? JSON.stringify(v) : null);

/** Up to `limit` jobs older than `cursor` that pass every filter but `text`, newest first. */
function page(s: Store, f: JobFilter, cursor: string | null, limit: number): Job[] {
  const rows = s.st.jobsList.all({
    cursor,
    states: listParam(f.states),
    queues: listParam(f.queues),
    types: listParam(f.types),
    ids: listParam(f.ids),
    tags: listParam(f.tags),
    limit,
  }) as unknown[][];
  return rows.map((r) => readJob(r));
}

/**
 * A page of jobs, newest id first; the cursor is the last id of the page. A text filter is
 * applied here by the core's `jobMatchesText`, scanning a bounded number of jobs per page.
 */
export function jobsList(
  s: Store,
  p: { filter?: JobFilter; limit: number; cursor?: string | null },
): { jobs: Job[]; nextCursor: string | null } | Promise<{ jobs: Job[]; nextCursor: string | null }> {
  const f = p.filter ?? {};
  if (f.idSuffix) {
    idTail(f.idSuffix); // refuses a suffix too short, as every engine does
    const rows = s.st.jobsBySuffix.all({ suffix: f.idSuffix }) as unknown[][];
    return pageOf(
      rows.map((r) => readJob(r)),
      f,
      p.limit,
      p.cursor ?? null,
    );
  }
  if (f.text) {
    return textFilteredPage({
      text: f.text,
      limit: p.limit,
      cursor: p.cursor ?? null,
      fetch: (c, n) => page(s, f, c, n),
    });
  }
  const rows = page(s, f, p.cursor ?? null, p.limit + 1);
  const jobs = rows.slice(0, p.limit);
  return { jobs, nextCursor: rows.length > p.limit ? jobs.at(-1)!.id : null };
}

/** Counts by state for every known queue, or those named. */
export function jobsCount(s: Store, p: { queues?: string[] }): Record<string, StateCounts> {
  const out: Record<string, StateCounts> = {};
  const names = p.queues ?? (s.st.queuesAll.all() as { name: string }[]).map((q) => q.name);
  for (const q of names) out[q] = emptyStateCounts();
  for (const r of s.st.counts.all() as { queue: string; state: JobState; n: number }[]) {
    if (p.queues && !p.queues.includes(r.queue)) continue;
    (out[r.queue] ??= emptyStateCounts())[r.state] = r.n;
  }
  return out;
}
