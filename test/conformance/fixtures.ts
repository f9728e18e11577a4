/**
 * Helpers of the backend-level conformance groups. Engine-neutral: they talk to a `Backend`
 * only through its interface and build jobs with the core's `validateEnqueue` on the test's
 * clock, exactly as the Client does.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import type { Backend, JobFilter } from '../../src/backend/backend.js';
import { ManualClock } from '../../src/core/clock.js';
import type { EventFilter, GantryEvent } from '../../src/core/events.js';
import type { Job, JobError, NewJob } from '../../src/core/job.js';
import { validateEnqueue, type EnqueueRequest } from '../../src/core/validate.js';
import type { ConformanceFactory } from './index.js';

/** The backend under test and its clock, fresh for every test. */
export interface BackendContext {
  clock: ManualClock;
  backend: Backend;
}

/** Opens a fresh backend on a fresh `ManualClock` before each test and closes it after. */
export function useBackend(factory: ConformanceFactory): BackendContext {
  const ctx = {} as BackendContext;
  beforeEach(async () => {
    ctx.clock = new ManualClock();
    ctx.backend = await factory(ctx.clock);
  });
  afterEach(async () => {
    await ctx.backend?.close();
  });
  return ctx;
}

/** A validated job (type `test.job` unless given), made at the clock's current time. */
export function newJob(clock: ManualClock, req: Partial<EnqueueRequest> = {}): NewJob {
  return validateEnqueue({ type: 'test.job', ...req }, clock.now());
}

/** Enqueues one job and returns it as stored. */
export async function enqueue(ctx: BackendContext, req: Partial<EnqueueRequest> = {}): Promise<Job> {
  const [outcome] = await ctx.backend.jobsEnqueue({ jobs: [newJob(ctx.clock, req)] });
  return outcome!.job;
}

/** Enqueues several jobs in one call. */
export async function enqueueMany(ctx: BackendContext, reqs: Partial<EnqueueRequest>[]): Promise<Job[]> {
  const outcomes = await ctx.backend.jobsEnqueue({ jobs: reqs.map((r) => newJob(ctx.clock, r)) });
  return outcomes.map((o) => o.job);
}

/**
 * Every job `jobsList` gives for `filter`, newest first, following `nextCursor` to the end: an
 * engine may answer a filtered list with short pages (even empty ones) and a cursor.
 */
export async function listAll(ctx: BackendContext, filter: JobFilter = {}, limit = 50): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const res: { jobs: Job[]; nextCursor: string | null } = await ctx.backend.jobsList({ filter, limit, cursor });
    expect(res.jobs.length).toBeLessThanOrEqual(limit);
    jobs.push(...res.jobs);
    cursor = res.nextCursor;
    if (cursor === null) return jobs;
  }
  throw new Error('jobsList gave a cursor 1000 times');
}

/** Default lease of the tests, ms. */
export const LEASE_MS = 30_000;

/** Claims up to `limit` jobs for `workerId` from `queues` (default `default`). */
export function claim(
  ctx: BackendContext,
  opts: { workerId?: string; queues?: string[]; limit?: number; types?: string[]; leaseMs?: number } = {},
): Promise<Job[]> {
  return ctx.backend.jobsClaim({
    workerId: opts.workerId ?? 'w1',
    queues: opts.queues ?? ['default'],
    limit: opts.limit ?? 10,
    leaseMs: opts.leaseMs ?? LEASE_MS,
    ...(opts.types ? { types: opts.types } : {}),
  });
}

/** Claims exactly one job or throws. */
export async function claimOne(ctx: BackendContext, opts: Parameters<typeof claim>[1] = {}): Promise<Job> {
  const jobs = await claim(ctx, { ...opts, limit: 1 });
  if (jobs.length !== 1) throw new Error(`expected to claim one job, claimed ${jobs.length}`);
  return jobs[0]!;
}

/** A failed attempt's error, at the clock's time. */
export function jobError(ctx: BackendContext, job: Job, message = 'boom'): JobError {
  return { message, attempt: job.attempts, workerId: job.workerId ?? 'w1', at: new Date(ctx.clock.now()) };
}

/** The stored job, which must exist. */
export async function mustGet(ctx: BackendContext, id: string): Promise<Job> {
  const job = await ctx.backend.jobGet({ id });
  if (!job) throw new Error(`job ${id} not found`);
  return job;
}

/** Waits (on real time, polling) until `cond` holds; fails after `timeoutMs`. */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Collects the events a subscription delivers. */
export interface EventRecorder {
  events: GantryEvent[];
  /** Resolves once an event matching `pred` has arrived (or already had). */
  waitFor(pred: (e: GantryEvent) => boolean, what?: string): Promise<GantryEvent>;
  stop(): Promise<void>;
}

/** Subscribes and records every delivered event. */
export async function recordEvents(
  ctx: BackendContext,
  opts: { filter?: EventFilter; afterSeq?: string } = {},
): Promise<EventRecorder> {
  const events: GantryEvent[] = [];
  const stop = await ctx.backend.eventsSubscribe({ ...opts, onEvent: (e) => events.push(e) });
  return {
    events,
    async waitFor(pred, what = 'event') {
      await waitUntil(() => events.some(pred), 5_000, what);
      return events.find(pred)!;
    },
    stop,
  };
}
