/**
 * The writes every change of a job goes through: the hint of a waiting state first, then the
 * record's compare-and-set, then what a job leaving `running` gives back (its slot, its active
 * entry) and what a final state publishes (its result message). See docs/nats.md.
 */
import type { Job } from '../../core/job.js';
import { isFinal } from '../../core/job.js';
import { mapError } from './connection.js';
import { casJob, type Ctx, type Versioned } from './context.js';
import { announce, needsHint } from './dispatch.js';
import type { EngineFields } from './job-codec.js';
import { activeDelete, slotFree } from './running.js';

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
 * Writes `next` over `v` (compare-and-set): announces it first when it waits somewhere new,
 * tidies up after it when it left `running`. The new version, or null when another writer came
 * first (then nothing but a harmless hint was written).
 */
export async function writeJob(ctx: Ctx, v: Versioned, next: Job, engine?: EngineFields): Promise<Versioned | null> {
  if (movedWaiting(v.job, next)) await announce(ctx, next, v.rev);
  const fields = engine ?? (next.state === 'running' ? v.engine : { _slot: null });
  const after = await casJob(ctx, v, next, fields);
  if (after) await afterWrite(ctx, v, next);
  return after;
}

/** What follows a written change: a running job's holdings given back, a final job's result. */
export async function afterWrite(ctx: Ctx, v: Versioned, next: Job | null): Promise<void> {
  const left = v.job.state === 'running' && (next === null || next.state !== 'running');
  if (left) {
    await activeDelete(ctx, v.job.id, v.job.attempts);
    if (v.engine._slot !== null) await slotFree(ctx, v.job.queue, v.engine._slot, v.job.id, v.job.attempts);
  }
  if (next && isFinal(next.state) && !isFinal(v.job.state)) await publishResult(ctx, next);
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
  await ctx.js.publish(ctx.n.result(job.queue, job.id), JSON.stringify(msg)).catch(mapError);
}
