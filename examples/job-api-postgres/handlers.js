// The handlers of a node: `gantry server --handlers ./handlers.js --concurrency 1 --prefetch 0`.
// The default export maps a job type to its handler (see docs/cli.md, `gantry worker`).

/** Waits `ms`, or rejects as soon as `signal` fires (a cancel, a timeout, a shutdown). */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason ?? new Error('aborted'));
      },
      { once: true },
    );
  });
}

export default {
  /**
   * Works in ten steps of `payload.stepMs` (default 1 s), reporting and printing its progress.
   * With `payload.failOnce` it fails until an operator restarts it (`POST /jobs/{id}/retry`).
   */
  demo: async (job, ctx) => {
    if (job.payload?.failOnce && job.retries.length === 0) {
      throw new Error('failing on purpose: restart me with POST /api/v1/jobs/{id}/retry');
    }
    const stepMs = job.payload?.stepMs ?? 1000;
    for (let percent = 10; percent <= 100; percent += 10) {
      await sleep(stepMs, ctx.signal);
      await ctx.progress(percent);
      console.log(`Job ${job.id} progress: ${percent}%`);
    }
    return { done: true, name: job.payload?.name ?? null };
  },
};
