/** The rules every engine applies, decided once in the core. */
import { describe, expect, it } from 'vitest';
import { QueueFullError } from '../../src/core/errors.js';
import { EVENT_JOB_FIELDS, jobEvent, wakesWorkers } from '../../src/core/events.js';
import { jobMatchesText, textFilteredPage } from '../../src/core/job-filter.js';
import type { Job } from '../../src/core/job.js';
import { failItem, leaseExpiredItem } from '../../src/core/outcome-items.js';
import {
  DEFAULT_QUEUE_SETTINGS,
  claimRoom,
  queueChangeEvents,
  applyQueueDefaults,
  queueSettingsApply,
  sizeCapOverflow,
} from '../../src/core/queue-rules.js';
import { storedJob, uniqueKeyHeld } from '../../src/core/job.js';
import { validateEnqueue } from '../../src/core/validate.js';

const job = (over: Partial<Job> = {}): Job => ({
  ...storedJob(validateEnqueue({ type: 't', payload: { a: 1 } }, 1_000)),
  ...over,
});

describe('size caps', () => {
  const cap = { queue: 'q', sizeCap: 3, sizePolicy: 'drop-oldest' as const };
  it('drops nothing while the queue fits, else the overflow, counting the new jobs', () => {
    expect(sizeCapOverflow({ ...cap, waiting: 1, adding: 2 })).toBe(0);
    expect(sizeCapOverflow({ ...cap, waiting: 3, adding: 2 })).toBe(2);
    expect(sizeCapOverflow({ ...cap, waiting: 0, adding: 5 })).toBe(2);
    expect(sizeCapOverflow({ ...cap, sizeCap: null, waiting: 100, adding: 5 })).toBe(0);
  });
  it('refuses the whole batch with reject', () => {
    expect(() => sizeCapOverflow({ ...cap, sizePolicy: 'reject', waiting: 3, adding: 1 })).toThrow(QueueFullError);
  });
});

describe('claim room', () => {
  it('gives an uncapped queue what the claim still wants, prefetch included', () => {
    expect(claimRoom({ limit: 10, prefetch: 5, taken: 4, takenCapped: 0, concurrency: null, running: 0 })).toBe(11);
  });
  it('never lets a capped queue pass its cap, nor capped queues together pass the limit', () => {
    expect(claimRoom({ limit: 10, prefetch: 50, taken: 0, takenCapped: 0, concurrency: 3, running: 1 })).toBe(2);
    expect(claimRoom({ limit: 10, prefetch: 50, taken: 9, takenCapped: 9, concurrency: 30, running: 0 })).toBe(1);
    expect(claimRoom({ limit: 10, prefetch: 0, taken: 0, takenCapped: 0, concurrency: 2, running: 5 })).toBe(0);
  });
});

describe('queue settings', () => {
  it('keeps what a change leaves out, clears a cap set to null, and says what changed', () => {
    const before = { ...DEFAULT_QUEUE_SETTINGS, concurrency: 2 };
    const after = queueSettingsApply(before, { paused: true, concurrency: null });
    expect(after).toEqual({
      paused: true,
      concurrency: null,
      sizeCap: null,
      sizePolicy: 'reject',
      timeoutMs: null,
      maxAttempts: null,
      weight: null,
    });
    expect(queueChangeEvents('q', before, after, 5).map((e) => e.type)).toEqual(['queue.paused', 'queue.updated']);
    expect(queueChangeEvents('q', after, after, 5)).toEqual([]);
    // A change of a default is an update too (a worker reads the weight).
    const weighted = queueSettingsApply(after, { weight: 4 });
    expect(queueChangeEvents('q', after, weighted, 5).map((e) => e.type)).toEqual(['queue.updated']);
  });

  it('gives a job the queue’s defaults only for the fields it left to them', () => {
    const job = validateEnqueue({ type: 't', queue: 'q', timeout: 500 }, 0);
    expect(job.defaulted).toEqual(['maxAttempts']);
    const d = { timeoutMs: 60_000, maxAttempts: 100 };
    expect(applyQueueDefaults(job, d)).toMatchObject({ timeoutMs: 500, maxAttempts: 100 });
    const bare = validateEnqueue({ type: 't', queue: 'q' }, 0);
    expect(applyQueueDefaults(bare, d)).toMatchObject({ timeoutMs: 60_000, maxAttempts: 100 });
    // Nothing to apply: the same job.
    expect(applyQueueDefaults(bare, { timeoutMs: null, maxAttempts: null })).toBe(bare);
    const named = validateEnqueue({ type: 't', maxAttempts: 2, timeout: 9 }, 0);
    expect(named.defaulted).toBeUndefined();
    expect(applyQueueDefaults(named, d)).toBe(named);
  });
});

describe('wake-ups', () => {
  it('wake on a job becoming queued, a resume and a change of caps, never on a scheduled job', () => {
    expect(wakesWorkers({ type: 'job.enqueued', state: 'queued' })).toBe(true);
    expect(wakesWorkers({ type: 'job.enqueued', state: 'scheduled' })).toBe(false);
    expect(wakesWorkers({ type: 'queue.resumed' })).toBe(true);
    expect(wakesWorkers({ type: 'queue.updated' })).toBe(true);
    expect(wakesWorkers({ type: 'job.completed', state: 'completed' })).toBe(false);
  });
  it('events carry the job fields EVENT_JOB_FIELDS names', () => {
    const j = job({ workerId: 'w', attempts: 2, state: 'running' });
    const e = jobEvent(j, 'job.started', 7) as unknown as Record<string, unknown>;
    for (const [field, from] of Object.entries(EVENT_JOB_FIELDS)) expect(e[field]).toBe(j[from]);
  });
});

describe('unique keys', () => {
  it('are held while live, and after the end for the window only', () => {
    expect(uniqueKeyHeld(job({ state: 'running' }), 0)).toBe(true);
    const done = job({ state: 'completed', finishedAt: new Date(1_000), uniqueWindowMs: 500 });
    expect(uniqueKeyHeld(done, 1_499)).toBe(true);
    expect(uniqueKeyHeld(done, 1_500)).toBe(false);
    expect(uniqueKeyHeld(job({ state: 'failed', finishedAt: new Date(1_000) }), 1_000)).toBe(false);
  });
});

describe('text filter', () => {
  it('matches id, type, and one string, number or key of the payload, folding Unicode case', () => {
    const j = job({ id: 'Job-1', type: 'mail.send', payload: { Zoë: ['Straße', 42], n: { x: 'ÉCOLE' } } });
    for (const text of ['job-1', 'MAIL', 'zoë', 'STRAßE', '42', 'école']) expect(jobMatchesText(j, text)).toBe(true);
    for (const text of ['"n":', 'straße 42', 'job-1 mail', '{']) expect(jobMatchesText(j, text)).toBe(false);
  });
  it('scans a bounded number of jobs and answers a short page with a cursor', async () => {
    const all = Array.from({ length: 50 }, (_, i) =>
      job({ id: `j${String(99 - i).padStart(2, '0')}`, payload: i % 10 === 0 ? 'hit' : 'miss' }),
    );
    const fetch = (cursor: string | null, n: number): Job[] =>
      all.filter((j) => cursor === null || j.id < cursor).slice(0, n);
    const first = await textFilteredPage({ text: 'hit', limit: 10, cursor: null, fetch, budget: 20 });
    expect(first.jobs.map((j) => j.id)).toEqual(['j99', 'j89']);
    expect(first.nextCursor).toBe('j80');
    const rest = await textFilteredPage({ text: 'hit', limit: 10, cursor: first.nextCursor, fetch, budget: 20 });
    expect(rest.jobs.map((j) => j.id)).toEqual(['j79', 'j69']);
    const last = await textFilteredPage({ text: 'hit', limit: 10, cursor: 'j60', fetch, budget: 100 });
    expect(last).toEqual({ jobs: [job({ id: 'j59', payload: 'hit' })], nextCursor: null });
  });
  it('answers synchronously while the engine does', () => {
    const page = textFilteredPage({ text: 'x', limit: 1, cursor: null, fetch: () => [] });
    expect(page).toEqual({ jobs: [], nextCursor: null });
  });
});

describe('the writes that end an attempt', () => {
  it('fail with the retry rule, never, or at once; an error reported as JSON keeps its message and stack', () => {
    const j = job({ attempts: 1, maxAttempts: 3, backoff: { type: 'fixed', delayMs: 100 } });
    const failure = { message: 'boom', stack: 'at x', code: 'E_X' };
    const retried = failItem({ job: j, workerId: 'w', failure, now: 10 });
    expect(retried).toMatchObject({
      attempt: 1,
      retryAt: new Date(110),
      error: { message: 'boom', stack: 'at x', code: 'E_X' },
    });
    expect(failItem({ job: j, workerId: 'w', failure, now: 10, retry: 'never' }).retryAt).toBeNull();
    expect(failItem({ job: j, workerId: 'w', failure, now: 10, retry: 'now' }).retryAt).toEqual(new Date(10));
  });
  it('a lease expiry is fenced on the holder that stopped renewing', () => {
    const item = leaseExpiredItem(job({ attempts: 3, maxAttempts: 3, workerId: 'dead' }), 50);
    expect(item).toMatchObject({ workerId: 'dead', attempt: 3, retryAt: null, error: { code: 'LEASE_EXPIRED' } });
  });
});
