/**
 * Promotion of due delayed jobs: the delay stream's buckets whose second has begun are read
 * (one `STREAM.INFO` with a subject filter finds them), each entry checked against its record,
 * the due ones set `queued` (pointer first, then the record's compare-and-set) and every entry
 * that is done with deleted by its sequence.
 */
import { jobEvent, type GantryEvent } from '../../core/events.js';
import { readJob, type Ctx } from './context.js';
import { dropDelayEntry, dueDelayEntries, judgeHint, type DelayEntry } from './dispatch.js';
import { writeJob } from './moves.js';

/** The event of promoting one entry's job, or null (not due, stale, or another promoter won). */
async function promoteEntry(ctx: Ctx, e: DelayEntry, now: number): Promise<GantryEvent | null> {
  const v = await readJob(ctx, e.hint.id);
  const verdict = judgeHint(ctx, e.hint, v);
  if (verdict === 'pending') return null;
  const job = v?.job;
  const waiting = job && (job.state === 'scheduled' || job.state === 'retrying');
  // Another second than this bucket's: the job waits for another entry, this one is done.
  const elsewhere = job && Math.floor(job.runAt.getTime() / 1000) !== e.second;
  if (verdict === 'stale' || !v || !job || !waiting || elsewhere) {
    await dropDelayEntry(ctx, e.seq);
    return null;
  }
  if (job.runAt.getTime() > now) return null;
  const after = await writeJob(ctx, v, { ...job, state: 'queued' });
  if (!after) return null;
  await dropDelayEntry(ctx, e.seq);
  return jobEvent(after.job, 'job.enqueued', now);
}

/**
 * Promotes due delayed jobs of `queue` (or of every queue); answers their `job.enqueued`
 * events, not yet published.
 */
export async function promoteDue(ctx: Ctx, queue: string | null, now: number, limit: number): Promise<GantryEvent[]> {
  const entries = await dueDelayEntries(ctx, queue, now, limit);
  const events = await Promise.all(entries.map((e) => promoteEntry(ctx, e, now)));
  return events.filter((e): e is GantryEvent => e !== null);
}
