/** `jobsClaimAwait` of an engine that hears a wake-up and claims in two steps. */
import type { Clock } from '../core/clock.js';
import type { Job } from '../core/job.js';
import type { Backend, ClaimAwaitParams } from './backend.js';

/**
 * Claims with `jobsClaim` and, while that finds nothing, waits with `workAwait` and claims
 * again, until jobs come or the wait's time (on `clock`) or signal ends it. A claim under way
 * when the signal aborts is answered.
 */
export async function claimAfterWake(
  backend: Pick<Backend, 'workAwait' | 'jobsClaim'>,
  clock: Clock,
  params: ClaimAwaitParams,
): Promise<Job[]> {
  const { timeoutMs, signal, ...claim } = params;
  const until = clock.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) return [];
    // The wait starts before the claim: an engine that keeps no wake-up for a wait yet to come
    // still wakes it for a job enqueued after the claim looked.
    const stop = new AbortController();
    const end = (): void => stop.abort();
    signal?.addEventListener('abort', end, { once: true });
    const woken = backend.workAwait({
      queues: claim.queues,
      timeoutMs: Math.max(0, until - clock.now()),
      signal: stop.signal,
    });
    try {
      const jobs = await backend.jobsClaim(claim);
      if (jobs.length > 0) return jobs;
      await woken;
    } finally {
      stop.abort();
      signal?.removeEventListener('abort', end);
    }
    if (clock.now() >= until) return [];
  }
}
