/**
 * Operator and maintenance changes: cancel, retry, delete, promote, expire, lease recovery's
 * list, prune. Which transition is allowed is the core's (the states each script may move a job
 * from are the core's lists); each script makes its change atomic.
 */
import type { PruneParams } from '../../backend/backend.js';
import { DEFAULT_MAINTENANCE_BATCH } from '../../core/constants.js';
import { NotFoundError, UniqueConflictError } from '../../core/errors.js';
import {
  EXPIRABLE_STATES,
  FINAL_STATES,
  deleteRefusal,
  statesInto,
  transitionRefusal,
  type Job,
  type JobState,
} from '../../core/job.js';
import { PROMOTABLE_STATES, assertPromotable } from '../../core/promote.js';
import { nowArg, refusal, run, type Ctx } from './context.js';
import type { ScriptName } from './scripts.js';
import { readJob } from './job-codec.js';

const CANCELLABLE = statesInto('cancelled').join(',');
const RETRYABLE = statesInto('queued').join(',');
const PROMOTABLE = PROMOTABLE_STATES.join(',');
const DELETABLE = FINAL_STATES.join(',');

/** Runs a change of one job; a refusal becomes the core's error for a move to `to`. */
async function change(ctx: Ctx, script: ScriptName, id: string, allowed: string, to: JobState): Promise<Job> {
  const reply = await run<unknown>(ctx, script, [nowArg(ctx), id, allowed]);
  const refused = refusal(reply);
  if (refused?.[0] === '!missing') throw new NotFoundError('job', id);
  if (refused?.[0] === '!state') {
    if (script === 'job-promote') assertPromotable(id, refused[1] as JobState);
    throw transitionRefusal(id, refused[1] as JobState, to);
  }
  if (refused?.[0] === '!unique') throw new UniqueConflictError(refused[1]!, refused[2]!);
  return readJob(reply as (string | null)[]);
}

/** Live job → `cancelled`; a running job's lease ends with it. */
export function jobCancel(ctx: Ctx, p: { id: string }): Promise<Job> {
  return change(ctx, 'job-cancel', p.id, CANCELLABLE, 'cancelled');
}

/** Final job → `queued` with a fresh attempt budget; its errors are kept. */
export function jobRetry(ctx: Ctx, p: { id: string }): Promise<Job> {
  return change(ctx, 'job-retry', p.id, RETRYABLE, 'queued');
}

/** A delayed or retrying job → `queued` with `runAt` = now; its `job.enqueued` wakes workers. */
export function jobPromote(ctx: Ctx, p: { id: string }): Promise<Job> {
  return change(ctx, 'job-promote', p.id, PROMOTABLE, 'queued');
}

/** Deletes a final job (any job with `force`). */
export async function jobDelete(ctx: Ctx, p: { id: string; force?: boolean }): Promise<void> {
  const reply = await run<unknown>(ctx, 'job-delete', [nowArg(ctx), p.id, p.force ? '' : DELETABLE]);
  const refused = refusal(reply);
  if (refused?.[0] === '!missing') throw new NotFoundError('job', p.id);
  if (refused?.[0] === '!state') throw deleteRefusal(p.id, refused[1] as JobState);
}

/** Due scheduled/retrying jobs → queued, each with its `job.enqueued`. */
export function jobsPromote(ctx: Ctx, p: { limit: number }): Promise<number> {
  return run<number>(ctx, 'jobs-promote', [nowArg(ctx), p.limit]);
}

/** Waiting jobs past their deadline → expired. */
export function jobsExpire(ctx: Ctx, p: { limit: number }): Promise<number> {
  const budget = Math.max(p.limit * 4, DEFAULT_MAINTENANCE_BATCH);
  return run<number>(ctx, 'jobs-expire', [nowArg(ctx), p.limit, EXPIRABLE_STATES.join(','), budget]);
}

/** Running jobs whose lease ended before now. */
export async function jobsLeaseExpiredList(ctx: Ctx, p: { limit: number }): Promise<Job[]> {
  const recs = await run<(string | null)[][]>(ctx, 'jobs-lease-expired', [nowArg(ctx), p.limit]);
  return recs.map((r) => readJob(r));
}

/** Retention: finished jobs by age and by count per queue and state; events by the time each entry was written. */
export function jobsPrune(ctx: Ctx, p: PruneParams): Promise<number> {
  const args: string[] = [
    p.maxPerQueueState === undefined ? '' : String(p.maxPerQueueState),
    p.eventsBefore ? String(p.eventsBefore.getTime()) : '',
  ];
  for (const state of FINAL_STATES) {
    const before = p.finishedBefore[state];
    args.push(state, before ? String(before.getTime()) : '');
  }
  return run<number>(ctx, 'jobs-prune', args);
}
