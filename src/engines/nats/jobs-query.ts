/**
 * Reads: one job by key; lists and counts by a scan of the `jobs` bucket, filtered and paged by
 * the core's rules (`pageOf`, `textFilteredPage`). The scan is the engine's known cost: JetStream
 * keeps no secondary index (docs/nats.md).
 */
import type { JobFilter } from '../../backend/backend.js';
import { idTail, pageOf, textFilteredPage } from '../../core/job-filter.js';
import type { Job } from '../../core/job.js';
import { emptyStateCounts, type StateCounts } from '../../core/queue-rules.js';
import { allBriefs, allJobs, readJob, type Ctx } from './context.js';
import { queueNames } from './queues.js';

/**
 * Resolves after the I/O turn in which a read's answer arrived: a write of this process whose
 * answer came in the same turn (the server answers in order) has then returned to its caller,
 * so a reader never sees a change before the worker that made it has heard that it was made.
 */
const afterThisTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One job, or `null`. */
export async function jobGet(ctx: Ctx, p: { id: string }): Promise<Job | null> {
  const v = await readJob(ctx, p.id);
  await afterThisTurn();
  return v?.job ?? null;
}

/** A page of jobs, newest id first; the cursor is the last id of the page. */
export async function jobsList(
  ctx: Ctx,
  p: { filter?: JobFilter; limit: number; cursor?: string | null },
): Promise<{ jobs: Job[]; nextCursor: string | null }> {
  const f = p.filter ?? {};
  if (f.idSuffix) idTail(f.idSuffix); // refuses a suffix too short, as every engine does
  const jobs = f.ids?.length
    ? (await Promise.all(f.ids.map((id) => readJob(ctx, id)))).flatMap((v) => (v ? [v.job] : []))
    : (await allJobs(ctx)).map((v) => v.job);
  if (!f.text) return pageOf(jobs, f, p.limit, p.cursor ?? null);
  const sorted = pageOf(jobs, { ...f, text: undefined }, Number.MAX_SAFE_INTEGER, null).jobs;
  return textFilteredPage({
    text: f.text,
    limit: p.limit,
    cursor: p.cursor ?? null,
    fetch: (c, n) => sorted.filter((j) => c === null || j.id < c).slice(0, n),
  });
}

/** Counts by state for every known queue, or those named. */
export async function jobsCount(ctx: Ctx, p: { queues?: string[] }): Promise<Record<string, StateCounts>> {
  const out: Record<string, StateCounts> = {};
  const names = p.queues ?? (await queueNames(ctx));
  for (const q of names) out[q] = emptyStateCounts();
  for (const job of await allBriefs(ctx)) {
    if (p.queues && !p.queues.includes(job.queue)) continue;
    (out[job.queue] ??= emptyStateCounts())[job.state]++;
  }
  return out;
}
