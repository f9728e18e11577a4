/** `jobsEnqueue`: idempotent ids, unique keys, size caps, queue defaults, all or none, in one script. */
import type { EnqueueOutcome } from '../../backend/backend.js';
import { EngineUnavailableError, QueueFullError, UniqueConflictError } from '../../core/errors.js';
import { storedJob, type NewJob } from '../../core/job.js';
import {
  hasJobDefaults,
  queuesTakingDefaults,
  withQueueDefaults,
  type QueueJobDefaults,
  type QueueSettingsRecord,
} from '../../core/queue-rules.js';
import { nowArg, refusal, run, type Ctx } from './context.js';
import { newJobsArg, readJob } from './job-codec.js';

/** Tries of an enqueue whose queues' settings changed since this process last read them. */
const DEFAULTS_ATTEMPTS = 10;

/**
 * Stores `jobs` in one script; any refusal leaves the store as it was. A created job is
 * returned as built from its `NewJob` (no read back) unless the size cap cancelled it.
 *
 * Queue defaults are applied here by the core's `withQueueDefaults`, from the settings this
 * process last saw; the script checks those are still the stored ones and otherwise answers
 * the current ones, and the enqueue is made again with them. A queue's settings are thus not
 * read on every enqueue, and a job never takes defaults a queue no longer has.
 */
export async function jobsEnqueue(ctx: Ctx, p: { jobs: NewJob[]; tx?: unknown }): Promise<EnqueueOutcome[]> {
  if (p.jobs.length === 0) return [];
  const queues = queuesTakingDefaults(p.jobs);
  for (let attempt = 0; attempt < DEFAULTS_ATTEMPTS; attempt++) {
    const seen = queues.map((q) => [q, ctx.queueSettingsSeen.get(q) ?? ''] as const);
    const jobs = withQueueDefaults(p.jobs, defaultsOf(seen));
    // Each job's record made once: encoded for the script, and returned as created.
    const stored = jobs.map(storedJob);
    const reply = await run<unknown[]>(ctx, 'jobs-enqueue', [
      nowArg(ctx),
      newJobsArg(
        stored,
        jobs.map((j) => (j.freshId ? '1' : '0')),
      ),
      seen.length > 0 ? JSON.stringify(seen) : '',
    ]);
    const refused = refusal(reply);
    if (refused?.[0] === '!defaults') {
      ctx.queueSettingsSeen.set(refused[1]!, refused[2]!);
      continue;
    }
    if (refused?.[0] === '!unique') throw new UniqueConflictError(refused[1]!, refused[2]!);
    if (refused?.[0] === '!full') throw new QueueFullError(refused[1]!, Number(refused[2]));
    return stored.map((job, i) => {
      const r = reply[i];
      if (r === 1) return { job, created: true };
      const [created, rec] = r as [number, (string | null)[]];
      return { job: readJob(rec), created: created === 1 };
    });
  }
  throw new EngineUnavailableError(
    `the settings of queues ${queues.join(', ')} kept changing during an enqueue; try again`,
  );
}

/** The job defaults of the queues among `seen` (name, settings document) that have any. */
function defaultsOf(seen: readonly (readonly [string, string])[]): Map<string, QueueJobDefaults> {
  const out = new Map<string, QueueJobDefaults>();
  for (const [q, doc] of seen) {
    if (doc === '') continue;
    const s = JSON.parse(doc) as Partial<QueueSettingsRecord>;
    const d = { timeoutMs: s.timeoutMs ?? null, maxAttempts: s.maxAttempts ?? null };
    if (hasJobDefaults(d)) out.set(q, d);
  }
  return out;
}
