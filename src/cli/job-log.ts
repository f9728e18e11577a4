/**
 * What `gantry worker` logs about the jobs it runs, as graphile-worker does: each start and
 * completion at info, each failed attempt at warn (it will be retried) or error (it will not),
 * each attempt cut short (cancelled, lease lost) at warn.
 */
import type { Worker } from '../worker/worker.js';
import type { Logger } from '../worker/types.js';

/** Which job lines to log: `all`, or only `failures` (failed, retried and aborted attempts). */
export type JobLogLevel = 'all' | 'failures';

/** The fields that name one attempt of a job in a log line. */
function jobFields(job: { id: string; type: string; queue: string; attempts: number; maxAttempts: number }) {
  return { jobId: job.id, type: job.type, queue: job.queue, attempt: job.attempts, maxAttempts: job.maxAttempts };
}

/** Logs the jobs `worker` runs on `logger`; returns what stops it. */
export function logJobs(worker: Worker, logger: Logger, level: JobLogLevel): () => void {
  const off: (() => void)[] = [];
  const on: Worker['on'] = (event, fn) => {
    const stop = worker.on(event, fn);
    off.push(stop);
    return stop;
  };
  if (level === 'all') {
    on('job:started', ({ job }) => logger.info(jobFields(job), 'job started'));
    on('job:completed', ({ job, durationMs }) => logger.info({ ...jobFields(job), durationMs }, 'job completed'));
  }
  on('job:retrying', ({ job, error, retryAt, durationMs }) =>
    logger.warn(
      { ...jobFields(job), durationMs, error: error.message, code: error.code, retryAt: retryAt.toISOString() },
      'job failed; it will be retried',
    ),
  );
  on('job:failed', ({ job, error, durationMs }) =>
    logger.error({ ...jobFields(job), durationMs, error: error.message, code: error.code }, 'job failed'),
  );
  on('job:aborted', ({ job, reason, durationMs }) =>
    logger.warn({ ...jobFields(job), durationMs, reason }, 'job aborted'),
  );
  return () => {
    for (const f of off.splice(0)) f();
  };
}
