/** Reads: one job, filtered pages, counts by queue and state. */
import type { JobFilter } from '../../backend/backend.js';
import { idTail, pageOf, textFilteredPage, type JobPage } from '../../core/job-filter.js';
import type { Job, JobState } from '../../core/job.js';
import { emptyStateCounts, type StateCounts } from '../../core/queue-rules.js';
import { run } from './connection.js';
import type { Ctx } from './context.js';
import { readJob } from './job-columns.js';

/** One job or `null`. */
export async function jobGet(ctx: Ctx, p: { id: string }): Promise<Job | null> {
  const [row] = await run(ctx.pool, ctx.jobs.get, [p.id]);
  return row ? readJob(row) : null;
}

const list = <T>(v: T[] | undefined): T[] | null => (v && v.length > 0 ? v : null);

/** Up to `limit` jobs older than `cursor` that pass every filter but `text`, newest first. */
async function page(ctx: Ctx, f: JobFilter, cursor: string | null, limit: number): Promise<Job[]> {
  const rows = await run(ctx.pool, ctx.admin.list, [
    f.states ?? null,
    f.queues ?? null,
    f.types ?? null,
    list(f.tags),
    f.ids ?? null,
    cursor,
    limit,
  ]);
  return rows.map((r) => readJob(r));
}

/**
 * A page of jobs, newest id first; the cursor is the last id of the page before. A text filter
 * is applied here by the core's `jobMatchesText`, scanning a bounded number of jobs per page.
 */
export async function jobsList(
  ctx: Ctx,
  p: { filter?: JobFilter; limit: number; cursor?: string | null },
): Promise<JobPage> {
  const f = p.filter ?? {};
  const cursor = p.cursor ?? null;
  if (f.idSuffix) {
    const rows = await run(ctx.pool, ctx.admin.jobsBySuffix, [idTail(f.idSuffix), f.idSuffix]);
    return pageOf(
      rows.map((r) => readJob(r)),
      f,
      p.limit,
      cursor,
    );
  }
  if (f.text) return textFilteredPage({ text: f.text, limit: p.limit, cursor, fetch: (c, n) => page(ctx, f, c, n) });
  const rows = await page(ctx, f, cursor, p.limit + 1);
  const jobs = rows.slice(0, p.limit);
  return { jobs, nextCursor: rows.length > p.limit ? jobs.at(-1)!.id : null };
}

/** Counts by state for every known queue, or the named ones. */
export async function jobsCount(ctx: Ctx, p: { queues?: string[] }): Promise<Record<string, StateCounts>> {
  const rows = await run<{ queue: string; state: JobState; n: number }>(ctx.pool, ctx.admin.count, [p.queues ?? null]);
  const out: Record<string, StateCounts> = {};
  const names = p.queues ?? (await run<{ name: string }>(ctx.pool, ctx.admin.queueNames, [])).map((r) => r.name);
  for (const q of names) out[q] = emptyStateCounts();
  for (const r of rows) (out[r.queue] ??= emptyStateCounts())[r.state] = r.n;
  return out;
}
