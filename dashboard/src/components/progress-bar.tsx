/** A job's progress: a bar with its percentage and the handler's message. */
import type { JobProgress } from '../api/types.js';

/** Renders `progress` (0–100) accessibly. */
export function ProgressBar({ progress }: { progress: JobProgress | null }) {
  const percent = Math.max(0, Math.min(100, Math.round(progress?.percent ?? 0)));
  return (
    <div className="progress" data-testid="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-label="Progress"
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-text">
        <span data-testid="progress-percent">{percent}%</span>
        {progress?.message ? <span data-testid="progress-message"> · {progress.message}</span> : null}
      </span>
    </div>
  );
}
