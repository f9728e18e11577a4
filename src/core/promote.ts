/**
 * "Run it now": an operator moves a delayed or retrying job to `queued` before its `runAt`
 * (the state machine allows `scheduled`/`retrying` → `queued`). A finished job is retried instead, and a
 * queued or running one is already due, so those are refused here, once for every engine.
 */
import { InvalidTransitionError } from './errors.js';
import { WAITING_STATES, canTransition, type JobState } from './job.js';

/** States a job can be run now from: waiting for its time (`scheduled`, `retrying`). */
export const PROMOTABLE_STATES: readonly JobState[] = WAITING_STATES.filter(
  (s) => s !== 'queued' && canTransition(s, 'queued'),
);

/** Throws `InvalidTransitionError` unless a job in `state` can be run now. */
export function assertPromotable(id: string, state: JobState): void {
  if (!PROMOTABLE_STATES.includes(state)) {
    const hint =
      state === 'queued' || state === 'running'
        ? 'it is due already'
        : 'only a scheduled or retrying job can be run now; retry a finished one';
    throw new InvalidTransitionError(id, state, 'queued', hint);
  }
}
