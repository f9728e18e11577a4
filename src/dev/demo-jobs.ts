/** The jobs `gantry dev` enqueues on its first start, to show every part of a job's life. */
import type { Client } from '../client/client.js';
import type { Job } from '../core/job.js';
import type { EnqueueRequest } from '../core/validate.js';
import { DEMO_TYPES } from './demo-handlers.js';

/** Short fixed backoff for the flaky demo job, so its retry shows within a second. */
export const DEMO_RETRY_BACKOFF_MS = 1_000;

/** The delay of the delayed demo job. */
export const DEMO_DELAY = '5s';

/** The demo jobs: some high priority, some normal, one with progress, one flaky, one delayed. */
export function demoJobs(): EnqueueRequest[] {
  return [
    { type: 'demo.email', payload: { to: 'ada@example.com', subject: 'Welcome' }, priority: 'normal' },
    { type: 'demo.email', payload: { to: 'grace@example.com', subject: 'Welcome' }, priority: 'normal' },
    { type: 'demo.email', payload: { to: 'linus@example.com', subject: 'Weekly digest' }, priority: 'low' },
    { type: 'demo.email', payload: { to: 'ops@example.com', subject: 'Password reset' }, priority: 'high' },
    { type: 'demo.email', payload: { to: 'ceo@example.com', subject: 'Invoice overdue' }, priority: 'critical' },
    { type: 'demo.report', payload: { steps: 10, stepMs: 400 }, priority: 'high' },
    {
      type: 'demo.flaky',
      payload: { note: 'fails once, then succeeds' },
      backoff: DEMO_RETRY_BACKOFF_MS,
      maxAttempts: 3,
    },
    { type: 'demo.hello', payload: { name: 'delayed job' }, delay: DEMO_DELAY },
  ];
}

/**
 * Enqueues the demo jobs unless this database has seen them before (any demo job, in any
 * state, means `gantry dev` ran here already). Returns the new jobs, or `null` when skipped.
 */
export async function enqueueDemoJobsOnce(client: Client): Promise<Job[] | null> {
  const seen = await client.list({ type: [...DEMO_TYPES], limit: 1 });
  if (seen.jobs.length > 0) return null;
  return client.enqueueMany(demoJobs());
}
