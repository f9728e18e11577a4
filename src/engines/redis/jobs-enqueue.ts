/** `jobsEnqueue`: idempotent ids, unique keys, size caps, all or none, in one script. */
import type { EnqueueOutcome } from '../../backend/backend.js';
import { QueueFullError, UniqueConflictError } from '../../core/errors.js';
import { storedJob, type NewJob } from '../../core/job.js';
import { nowArg, refusal, run, type Ctx } from './context.js';
import { JOB_COLUMNS, newJobValues, readJob } from './job-codec.js';

const COLUMNS_JSON = JSON.stringify(JOB_COLUMNS);

/**
 * Stores `jobs` in one script; any refusal leaves the store as it was. A created job is
 * returned as built from its `NewJob` (no read back) unless the size cap cancelled it.
 */
export async function jobsEnqueue(ctx: Ctx, p: { jobs: NewJob[]; tx?: unknown }): Promise<EnqueueOutcome[]> {
  const jobs = p.jobs;
  if (jobs.length === 0) return [];
  const rows = jobs.map((j) => {
    const row = [j.freshId ? '1' : '0'];
    newJobValues(j, row);
    return row;
  });
  const reply = await run<unknown[]>(ctx, 'jobs-enqueue', [nowArg(ctx), COLUMNS_JSON, JSON.stringify(rows)]);
  const refused = refusal(reply);
  if (refused?.[0] === '!unique') throw new UniqueConflictError(refused[1]!, refused[2]!);
  if (refused?.[0] === '!full') throw new QueueFullError(refused[1]!, Number(refused[2]));
  return jobs.map((j, i) => {
    const r = reply[i];
    if (r === 1) return { job: storedJob(j), created: true };
    const [created, rec] = r as [number, (string | null)[]];
    return { job: readJob(rec), created: created === 1 };
  });
}
