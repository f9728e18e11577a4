/** A job state as a coloured badge. */
import type { JobState } from '../api/types.js';

/** The badge of one state. */
export function StateBadge({ state }: { state: JobState }) {
  return <span className={`badge state-${state}`}>{state}</span>;
}
