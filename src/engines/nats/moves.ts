/**
 * The writes every change of a job goes through: the hint of a waiting state first, then the
 * record's compare-and-set, then its events, what a job leaving `running` gives back (its slot,
 * its active entry) and what a final state publishes (its result message). See docs/nats.md.
 */
import type { GantryEvent } from '../../core/events.js';
import { isFinal, type Job } from '../../core/job.js';
import { mapError } from './connection.js';
import { casJob, inBackground, publishEvents, type Ctx, type Versioned } from './context.js';
import { announce, needsHint } from './dispatch.js';
import { IDLE, type EngineFields } from './job-codec.js';
import { activeLet, slotFree } from './running.js';
import { wirePublish } from './wire.js';

/** True when `next` waits somewhere `before` did not (a new state, time or priority). */
function movedWaiting(before: Job, next: Job): boolean {
  return (
    needsHint(next) &&
    (before.state !== next.state ||
      before.runAt.getTime() !== next.runAt.getTime() ||
      before.priority !== next.priority)
  );
}

/**
 * Writes `next` over `v` (compare-and-set): announces it first when it waits somewhere new;
 * once written, publishes its `events` and tidies up after it. The new version, or null when
 * another writer came first (then nothing but a harmless hint was written, and no event).
 */
export async function writeJob(
  ctx: Ctx,
  v: Versioned,
  next: Job,
  opts: { engine?: EngineFields; events?: (job: Job) => GantryEvent[] } = {},
): Promise<Versioned | null> {
  if (movedWaiting(v.job, next)) await announce(ctx, next, v.rev);
  const fields = opts.engine ?? (next.state === 'running' ? v.engine : IDLE);
  const after = await casJob(ctx, v, next, fields);
  if (after) {
    publishEvents(ctx, opts.events?.(next) ?? []);
    afterWrite(ctx, v, next);
  }
  return after;
}

/**
 * What follows a written change, in the background (each step is safe to lose: a stale slot or
 * active entry is checked against the record and cleared): a running job's holdings given back,
 * a final job's result published.
 */
export function afterWrite(ctx: Ctx, v: Versioned, next: Job | null): void {
  const left = v.job.state === 'running' && (next === null || next.state !== 'running');
  const { _slot: slot, _slotRev: slotRev } = v.engine;
  if (left) activeLet(ctx, v.job.id);
  if (left && slot !== null && slotRev != null) inBackground(ctx, slotFree(ctx, v.job.queue, slot, slotRev));
  if (next && isFinal(next.state) && !isFinal(v.job.state)) inBackground(ctx, publishResult(ctx, next));
}

/** The message a final state publishes on `<prefix>.result.<queue>.<id>` (docs/nats.md). */
export interface ResultMessage {
  id: string;
  type: string;
  queue: string;
  state: Job['state'];
  result: unknown;
  error: { message: string; code?: string } | null;
  attempts: number;
  finishedAt: string | null;
}

/** Publishes the result message of a job that reached a final state. */
export async function publishResult(ctx: Ctx, job: Job): Promise<void> {
  const last = job.errors.at(-1);
  const msg: ResultMessage = {
    id: job.id,
    type: job.type,
    queue: job.queue,
    state: job.state,
    result: job.result ?? null,
    error:
      job.state === 'completed' || !last
        ? null
        : { message: last.message, ...(last.code === undefined ? {} : { code: last.code }) },
    attempts: job.attempts,
    finishedAt: job.finishedAt ? job.finishedAt.toISOString() : null,
  };
  let body = JSON.stringify(msg);
  // A result too large for one message: the message says so; the job record has it.
  if (Buffer.byteLength(body) > (ctx.nc.info?.max_payload ?? 1024 * 1024) - 1024) {
    body = JSON.stringify({ ...msg, result: null, resultTooLarge: true });
  }
  await wirePublish(ctx.wire, ctx.n.result(job.queue, job.id), body).catch(mapError);
}
