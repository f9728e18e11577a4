/** A repeating task on an injected clock, for leases, heartbeats and maintenance ticks. */
import type { Clock } from '../core/clock.js';

/**
 * Runs `fn` every `ms` on `clock` until the returned function is called. The next tick is
 * scheduled before `fn` runs, so the cadence stays fixed however long `fn` takes (a tick that
 * finds the previous run still going is skipped, never stacked). Errors go to `onError`.
 */
export function every(clock: Clock, ms: number, fn: () => Promise<void>, onError: (err: unknown) => void): () => void {
  let stopped = false;
  let inFlight = false;
  let cancelTimer = (): void => {};
  const tick = (): void => {
    cancelTimer = clock.setTimeout(() => {
      if (stopped) return;
      tick();
      if (inFlight) return;
      inFlight = true;
      fn()
        .catch(onError)
        .finally(() => {
          inFlight = false;
        });
    }, ms);
  };
  tick();
  return () => {
    stopped = true;
    cancelTimer();
  };
}
