/** What jobs-claim.lua takes and answers, for a claim now and a claim on wake-up alike. */
import type { ClaimParams } from '../../backend/backend.js';
import { REDIS_CLAIM_PROMOTE_MAX, REDIS_CLAIM_SCAN_BUDGET } from '../../core/constants.js';
import type { Job } from '../../core/job.js';
import { readClaimed } from './job-codec.js';

/** Whether the claim asks for any job at all. */
export function claimWanted(p: ClaimParams): boolean {
  return Math.max(0, p.limit) + Math.max(0, Math.floor(p.prefetch ?? 0)) > 0 && p.queues.length > 0;
}

/**
 * The arguments of jobs-claim.lua after the base key: a claim now (`poke` ''), or on wake-up
 * (`poke` the caller's poke id, `seen` the wake stream ids it saw, by queue).
 */
export function claimArgs(now: number, p: ClaimParams, poke: string, seen: string[]): string[] {
  return [
    String(now),
    p.workerId,
    String(p.leaseMs),
    String(Math.max(0, p.limit)),
    String(Math.max(0, Math.floor(p.prefetch ?? 0))),
    p.types?.length ? JSON.stringify(p.types) : '',
    String(REDIS_CLAIM_SCAN_BUDGET),
    String(REDIS_CLAIM_PROMOTE_MAX),
    poke,
    ...p.queues,
    ...seen,
  ];
}

/** The claimed records of a reply as jobs claimed at `now`. */
export function claimedJobs(rows: unknown[][], now: number, p: ClaimParams): Job[] {
  // Each job its own Dates: a handler may change them.
  return rows.map((r) =>
    readClaimed(r, {
      state: 'running',
      workerId: p.workerId,
      leaseUntil: new Date(now + p.leaseMs),
      startedAt: new Date(now),
    }),
  );
}
