/**
 * The worker's path: claim, renew, complete, fail, release, progress. Each is one script over a
 * whole batch; every change after the claim is fenced on (state, worker, attempt) inside it.
 */
import type { ClaimParams, CompleteItem, FailItem, ReleaseItem } from '../../backend/backend.js';
import { completedResult } from '../../core/events.js';
import type { Job, JobProgress } from '../../core/job.js';
import { nowArg, run, type Ctx } from './context.js';
import { claimArgs, claimedJobs, claimWanted } from './claim-args.js';
import { errorText, jsonText } from './job-codec.js';

/**
 * Claims up to `limit` due jobs (plus `prefetch` from uncapped queues), queue by queue in the
 * order given, in one script (see lua/redis/jobs-claim.lua).
 */
export async function jobsClaim(ctx: Ctx, p: ClaimParams): Promise<Job[]> {
  if (!claimWanted(p)) return [];
  const now = ctx.clock.now();
  const reply = await ctx.hub.hold.during(() => run<string>(ctx, 'jobs-claim', claimArgs(now, p, '', [])));
  return claimedJobs(JSON.parse(reply) as unknown[][], now, p);
}

/** Extends the leases `workerId` still holds; returns the ids it lost. */
export async function jobsLeaseRenew(
  ctx: Ctx,
  p: { workerId: string; ids: string[]; leaseMs: number },
): Promise<{ lost: string[] }> {
  if (p.ids.length === 0) return { lost: [] };
  const lease = String(ctx.clock.now() + p.leaseMs);
  return { lost: await run<string[]>(ctx, 'jobs-lease-renew', [p.workerId, lease, ...p.ids]) };
}

/** Fenced batch completion; items with `delete` are removed, their events carrying the results. */
export async function jobsComplete(ctx: Ctx, p: { items: CompleteItem[] }): Promise<{ lost: string[] }> {
  if (p.items.length === 0) return { lost: [] };
  const items: string[] = [];
  for (const i of p.items) {
    const result = jsonText(i.result);
    items.push(i.id, i.workerId, String(i.attempt), result, i.delete ? '1' : '0', completedExtra(i, result));
  }
  return { lost: await run<string[]>(ctx, 'jobs-complete', [nowArg(ctx), JSON.stringify(items)]) };
}

/**
 * The extra fields of an item's `job.completed` event, as JSON text ('' for none): the whole
 * result of a job deleted on completion (the event is all that is left of it), else what the
 * core's `completedResult` says.
 */
function completedExtra(i: CompleteItem, result: string): string {
  if (result === '') return '';
  if (i.delete) return `{"result":${result}}`;
  const extra = completedResult(i.result, result);
  return extra ? JSON.stringify(extra) : '';
}

/** Fenced batch failure: `retryAt` → retrying at that time, `null` → failed. */
export async function jobsFail(ctx: Ctx, p: { items: FailItem[] }): Promise<{ lost: string[] }> {
  if (p.items.length === 0) return { lost: [] };
  const args: string[] = [nowArg(ctx)];
  for (const i of p.items) {
    args.push(i.id, i.workerId, String(i.attempt), errorText(i.error), i.retryAt ? String(i.retryAt.getTime()) : '');
  }
  return { lost: await run<string[]>(ctx, 'jobs-fail', args) };
}

/** Fenced hand-back of never-started claims: `running` → `queued`, the attempt undone. */
export async function jobsRelease(ctx: Ctx, p: { items: ReleaseItem[] }): Promise<{ lost: string[] }> {
  if (p.items.length === 0) return { lost: [] };
  const args: string[] = [nowArg(ctx)];
  for (const i of p.items) args.push(i.id, i.workerId, String(i.attempt));
  return { lost: await run<string[]>(ctx, 'jobs-release', args) };
}

/** Records progress while `workerId` holds the job. */
export async function jobProgress(
  ctx: Ctx,
  p: { id: string; workerId: string; progress: JobProgress },
): Promise<boolean> {
  const args = [nowArg(ctx), p.id, p.workerId, JSON.stringify(p.progress)];
  return (await run<number>(ctx, 'job-progress', args)) === 1;
}
