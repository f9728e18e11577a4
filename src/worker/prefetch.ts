/**
 * The prefetch buffer of a worker: jobs claimed beyond its free slots, held (their leases
 * renewed) until a slot frees, so claim round trips overlap running jobs instead of leaving
 * slots idle. Buffered jobs are `running` in the store; on stop they are handed back without
 * spending an attempt.
 *
 * How much to buffer adapts: nothing until jobs finish faster than claims come back on a
 * deep queue (the buffer runs dry while a claim is out, or right after the last one), then
 * doubling up to the `prefetch` option; back to nothing when a claim comes back short. So a
 * worker whose slots free slowly (see `PREFETCH_TURNOVER_MS`) buffers nothing.
 */
import type { Backend, ClaimParams } from '../backend/backend.js';
import { PREFETCH_TURNOVER_MS } from '../core/constants.js';
import type { Job } from '../core/job.js';
import type { ClaimStep } from './weighted.js';

/** Claimed jobs waiting for a slot, in the order the weighted round-robin picked them. */
export class PrefetchBuffer {
  private readonly jobs = new Map<string, Job>();
  /**
   * The buffered jobs in start order, from `head`; a dropped job stays until passed. Taking the
   * first job of the Map instead skipped every entry deleted since its last rehash, a cost that
   * grew with the buffer on each start.
   */
  private order: (Job | undefined)[] = [];
  private head = 0;
  /** Jobs the buffer should hold after the next claim (0 = claim only for free slots). */
  target = 0;
  /** The last claim round came back full: the queues are deep. */
  private deep = false;
  /** When the last claim round ended, and how long it took (ms of the worker's clock). */
  private lastEnd = Number.NEGATIVE_INFINITY;
  private lastTook = 0;

  constructor(
    /** Most jobs ever buffered. */
    private readonly max: number,
    /** First step of growth (the worker's concurrency). */
    private readonly step: number,
  ) {}

  get size(): number {
    return this.jobs.size;
  }

  /** Ids of the buffered jobs. */
  ids(): string[] {
    return [...this.jobs.keys()];
  }

  /** True when a claim should top the buffer up even though no slot is free. */
  get low(): boolean {
    return this.target > 0 && this.jobs.size <= this.target / 2;
  }

  /** Appends jobs, in start order. */
  push(jobs: Job[]): void {
    for (const j of jobs) {
      this.jobs.set(j.id, j);
      this.order.push(j);
    }
  }

  /** The next job to start. */
  shift(): Job | undefined {
    while (this.head < this.order.length) {
      const job = this.order[this.head]!;
      this.order[this.head++] = undefined;
      if (this.jobs.get(job.id) !== job) continue;
      this.jobs.delete(job.id);
      if (this.jobs.size === 0) this.clearOrder();
      else if (this.head >= 1024 && this.head * 2 >= this.order.length) {
        this.order = this.order.slice(this.head);
        this.head = 0;
      }
      return job;
    }
    this.clearOrder();
    return undefined;
  }

  private clearOrder(): void {
    this.order = [];
    this.head = 0;
  }

  /** Drops a job (cancelled, deleted, lease lost); true when it was buffered. */
  drop(id: string): boolean {
    return this.jobs.delete(id);
  }

  /** Empties the buffer, returning what it held. */
  takeAll(): Job[] {
    const all = [...this.jobs.values()];
    this.jobs.clear();
    this.clearOrder();
    return all;
  }

  /** Empties the buffer into `jobsRelease`: the jobs are queued again, their attempt unspent. */
  async handBack(backend: Backend, workerId: string): Promise<void> {
    const jobs = this.takeAll();
    if (jobs.length === 0) return;
    await backend.jobsRelease({ items: jobs.map((j) => ({ id: j.id, workerId, attempt: j.attempts })) });
  }

  /**
   * True when a round beginning at `at` follows the last one closely (`PREFETCH_TURNOVER_MS`):
   * its free slot freed faster than jobs are claimed, so running dry then means starving.
   */
  soonAfterLastRound(at: number): boolean {
    return at - this.lastEnd <= Math.max(PREFETCH_TURNOVER_MS, 4 * this.lastTook);
  }

  /** Records a claim round's start and end (ms of the worker's clock). */
  roundDone(startedAt: number, endedAt: number): void {
    this.lastEnd = endedAt;
    this.lastTook = endedAt - startedAt;
  }

  /**
   * Learns from a claim round: `full` when every step got all it asked for; `starved` when
   * the buffer was dry with a slot free, when the round began right after the last one
   * (`soonAfterLastRound`) or after jobs finished while the claim was out (jobs finish faster
   * than claims come back).
   */
  learn(full: boolean, starved: boolean): void {
    if (!full) {
      this.target = 0;
      this.deep = false;
      return;
    }
    if (starved && this.deep && this.max > 0) {
      this.target = Math.min(this.max, Math.max(this.step, this.target * 2));
    }
    this.deep = true;
  }
}

/**
 * Splits each step's count into `limit` (its picks among the round's first `free`, for the
 * free slots) and `prefetch` (the rest, which engines take only from uncapped queues).
 */
export function splitStep(step: ClaimStep, free: number): { limit: number; prefetch: number } {
  let limit = 0;
  for (const at of step.picks) if (at < free) limit++;
  return { limit, prefetch: step.count - limit };
}

/**
 * Orders the jobs of a round's steps by pick position, so they start interleaved by weight
 * as if claimed one at a time; a step's jobs beyond its picks (none, normally) come last.
 */
export function interleave(steps: ClaimStep[], results: Job[][]): Job[] {
  const slots: (Job | undefined)[] = [];
  const extra: Job[] = [];
  steps.forEach((step, s) => {
    const got = results[s] ?? [];
    got.forEach((job, i) => {
      const at = step.picks[i];
      if (at === undefined) extra.push(job);
      else slots[at] = job;
    });
  });
  return [...slots.filter((j): j is Job => j !== undefined), ...extra];
}

/**
 * The claim a worker's wait on wake-up makes (`jobsClaimAwait`): its free slots plus what the
 * buffer lacks, as a claim round would plan them, in one claim listing every queue, the one
 * owed most first.
 */
export function wakeClaim(
  rr: { plan(slots: number): ClaimStep[]; names: string[] },
  buffer: { target: number; size: number },
  w: { workerId: string; free: number; leaseMs: number; types: string[] | undefined },
): ClaimParams {
  const free = Math.max(0, w.free);
  const steps = rr.plan(free + Math.max(0, buffer.target - buffer.size));
  const count = steps.reduce((n, step) => n + step.count, 0);
  const limit = Math.min(free, count);
  return {
    workerId: w.workerId,
    queues: steps[0]?.queues ?? rr.names,
    limit,
    prefetch: count - limit,
    leaseMs: w.leaseMs,
    ...(w.types ? { types: w.types } : {}),
  };
}
