/** Reads: one job, filtered pages, counts by queue and state. */
import type { JobFilter, StateCounts } from '../../backend/backend.js';
import { JOB_STATES, type Job, type JobState } from '../../core/job.js';
import { jobsListBySuffix } from './jobs-stats.js';
import { readJob, type RawJob } from './rows.js';
import type { Store } from './store.js';

/** One job, or `null`. */
export function jobGet(s: Store, id: string): Job | null {
  const row = s.st.jobGet.get(id) as RawJob | undefined;
  return row ? readJob(row) : null;
}

const listParam = (v: string[] | undefined): string | null => (v && v.length > 0 ? JSON.stringify(v) : null);

/** A page of jobs, newest id first; the cursor is the last id of the page. */
export function jobsList(
  s: Store,
  p: { filter?: JobFilter; limit: number; cursor?: string | null },
): { jobs: Job[]; nextCursor: string | null } {
  const f = p.filter ?? {};
  if (f.idSuffix) return jobsListBySuffix(s, { ...f, idSuffix: f.idSuffix }, p.limit, p.cursor ?? null);
  const rows = s.st.jobsList.all({
    cursor: p.cursor ?? null,
    states: listParam(f.states),
    queues: listParam(f.queues),
    types: listParam(f.types),
    ids: listParam(f.ids),
    tags: listParam(f.tags),
    text: f.text ? f.text : null,
    limit: p.limit + 1,
  }) as RawJob[];
  const more = rows.length > p.limit;
  const jobs = rows.slice(0, p.limit).map(readJob);
  return { jobs, nextCursor: more ? jobs.at(-1)!.id : null };
}

/** Every state at zero. */
export function zeroCounts(): StateCounts {
  return Object.fromEntries(JOB_STATES.map((st) => [st, 0])) as StateCounts;
}

/** Counts by state for every known queue, or those named. */
export function jobsCount(s: Store, queues?: string[]): Record<string, StateCounts> {
  const out: Record<string, StateCounts> = {};
  const names = queues ?? (s.st.queuesAll.all() as { name: string }[]).map((q) => q.name);
  for (const q of names) out[q] = zeroCounts();
  for (const r of s.st.counts.all() as { queue: string; state: JobState; n: number }[]) {
    if (queues && !queues.includes(r.queue)) continue;
    out[r.queue] ??= zeroCounts();
    out[r.queue]![r.state] = r.n;
  }
  return out;
}
