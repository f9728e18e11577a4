/** The actions a job's state allows: retry and delete when final, cancel while live. */
import { endpoints, type JobAction } from '../api/endpoints.js';
import { FINAL_STATES, LIVE_STATES, type JobJson } from '../api/types.js';
import { ActionButton } from './action-button.js';

/** Props of `JobActions`. */
export interface JobActionsProps {
  job: JobJson;
  onDone: (action: JobAction) => void;
}

/** Buttons for the allowed actions. */
export function JobActions({ job, onDone }: JobActionsProps) {
  const final = FINAL_STATES.includes(job.state);
  const run = (a: JobAction) => () => endpoints.jobAction(job.id, a).then(() => onDone(a));
  return (
    <div className="actions" role="group" aria-label="Job actions">
      {final ? (
        <ActionButton variant="primary" onRun={run('retry')}>
          Retry
        </ActionButton>
      ) : null}
      {LIVE_STATES.includes(job.state) ? (
        <ActionButton variant="danger" onRun={run('cancel')}>
          Cancel
        </ActionButton>
      ) : null}
      {final ? (
        <ActionButton variant="danger" onRun={run('delete')}>
          Delete
        </ActionButton>
      ) : null}
    </div>
  );
}
