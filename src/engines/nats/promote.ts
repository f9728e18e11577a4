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
import { delaysRead, waitingGen } from './waiting.js';

/** What promoting one entry came to: its job's event, or why not. */
type Promotion = GantryEvent | 'done' | 'left';

/** Promotes one entry's job; `done` when the entry is gone without it (stale), `left` when it stays. */
async function promoteEntry(ctx: Ctx, e: DelayEntry, now: number): Promise<Promotion> {
  const v = await readJob(ctx, e.hint.id);
  const verdict = judgeHint(ctx, e.hint, v);
  if (verdict === 'pending') return 'left';
  const job = v?.job;
  const waiting = job && (job.state === 'scheduled' || job.state === 'retrying');
  // Another second than this bucket's: the job waits for another entry, this one is done.
  const elsewhere = job && Math.floor(job.runAt.getTime() / 1000) !== e.second;
  if (verdict === 'stale' || !v || !job || !waiting || elsewhere) {
    await dropDelayEntry(ctx, e.seq);
    return 'done';
  }
  if (job.runAt.getTime() > now) return 'left';
  const after = await writeJob(ctx, v, { ...job, state: 'queued' });
  if (!after) return 'left';
  await dropDelayEntry(ctx, e.seq);
  return jobEvent(after.job, 'job.enqueued', now);
}

/**
 * Promotes due delayed jobs of `queue` (or of every queue); answers their `job.enqueued`
 * events, not yet published.
 */
export async function promoteDue(ctx: Ctx, queue: string | null, now: number, limit: number): Promise<GantryEvent[]> {
  return (await promote(ctx, queue, now, limit)).events;
}

/**
 * Promotes the due delayed jobs of one queue for a claim, and keeps what it learnt of the
 * queue's delays (see `waiting.ts`): a claim that follows asks the server only once one is due.
 */
export async function promoteQueue(ctx: Ctx, queue: string, now: number, limit: number): Promise<GantryEvent[]> {
  const gen = waitingGen(ctx, queue);
  const { events, from } = await promote(ctx, queue, now, limit);
  delaysRead(ctx, queue, gen, from);
  return events;
}

/** Promotes; `from` is the first second an entry left may be due (null: one due now was left). */
async function promote(
  ctx: Ctx,
  queue: string | null,
  now: number,
  limit: number,
): Promise<{ events: GantryEvent[]; from: number | null }> {
  const { entries, later } = await dueDelayEntries(ctx, queue, now, limit);
  const done = await Promise.all(entries.map((e) => promoteEntry(ctx, e, now)));
  const events = done.filter((e): e is GantryEvent => typeof e === 'object');
  const from = entries.length >= limit || done.includes('left') ? null : later;
  return { events, from };
}
