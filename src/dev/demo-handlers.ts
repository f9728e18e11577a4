/**
 * The handlers `gantry dev` registers: small, honest examples of what a handler does (sleep
 * on I/O, report progress, fail once then succeed, honour its AbortSignal).
 */
import { sleep, systemClock } from '../core/clock.js';
import type { Job } from '../core/job.js';
import type { Handlers, JobContext } from '../worker/types.js';

/** The job types of the demo, so `gantry dev` can tell whether it enqueued them already. */
export const DEMO_TYPES = ['demo.email', 'demo.report', 'demo.flaky', 'demo.hello'] as const;

/** A pseudo-random wait in [min, max) ms: demo work that takes a little time. */
function work(ctx: JobContext, min: number, max: number): Promise<void> {
  return sleep(systemClock, min + Math.floor(Math.random() * (max - min)), ctx.signal);
}

/** Sends a (pretend) email. */
async function email(job: Job<{ to?: string; subject?: string }>, ctx: JobContext): Promise<unknown> {
  await work(ctx, 300, 900);
  return { sent: true, to: job.payload?.to ?? 'someone@example.com' };
}

/** Builds a (pretend) report in ten steps, reporting progress 10%…100%. */
async function report(job: Job<{ steps?: number; stepMs?: number }>, ctx: JobContext): Promise<unknown> {
  const steps = job.payload?.steps ?? 10;
  const stepMs = job.payload?.stepMs ?? 400;
  for (let i = 1; i <= steps; i++) {
    await sleep(systemClock, stepMs, ctx.signal);
    await ctx.progress(Math.round((i / steps) * 100), `step ${i}/${steps}`);
  }
  return { rows: 1234, steps };
}

/** Fails its first attempt (a pretend network blip) and succeeds on the retry. */
async function flaky(job: Job, ctx: JobContext): Promise<unknown> {
  await work(ctx, 200, 400);
  if (job.attempts <= 1) throw new Error('simulated network blip: this job fails once and succeeds on retry');
  return { ok: true, attempt: job.attempts };
}

/** Says hello: the delayed demo job. */
async function hello(job: Job<{ name?: string }>, ctx: JobContext): Promise<unknown> {
  await work(ctx, 50, 150);
  return { greeting: `hello, ${job.payload?.name ?? 'world'}` };
}

/** Every demo handler by job type. */
export const demoHandlers: Handlers = {
  'demo.email': email as Handlers[string],
  'demo.report': report as Handlers[string],
  'demo.flaky': flaky as Handlers[string],
  'demo.hello': hello as Handlers[string],
};
