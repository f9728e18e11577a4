/**
 * The actions a job's state allows: Retry when final, Run now while delayed or retrying,
 * Cancel while live and Delete when final (both asking first), and Duplicate (a new job from
 * this one, in the editor) for roles that may enqueue.
 */
import { endpoints, type JobAction } from '../api/endpoints.js';
import { FINAL_STATES, LIVE_STATES, type JobJson } from '../api/types.js';
import { href } from '../hooks/use-route.js';
import { ActionButton } from './action-button.js';
import { ConfirmButton } from './confirm-button.js';

/** Props of `JobActions`. */
export interface JobActionsProps {
  job: JobJson;
  /** Operator actions (admin). */
  canAct: boolean;
  /** Duplicate (write or admin). */
  canEnqueue: boolean;
  onDone: (action: JobAction) => void;
}

/** Buttons for the allowed actions. */
export function JobActions({ job, canAct, canEnqueue, onDone }: JobActionsProps) {
  const final = FINAL_STATES.includes(job.state);
  const run = (a: JobAction) => () => endpoints.jobAction(job.id, a).then(() => onDone(a));
  return (
    <div className="actions" role="group" aria-label="Job actions">
      {canAct && final ? (
        <ActionButton variant="primary" onRun={run('retry')}>
          Retry
        </ActionButton>
      ) : null}
      {canAct && (job.state === 'scheduled' || job.state === 'retrying') ? (
        <ActionButton variant="primary" onRun={run('promote')}>
          Run now
        </ActionButton>
      ) : null}
      {canAct && LIVE_STATES.includes(job.state) ? (
        <ConfirmButton variant="danger" question="Cancel this job?" onConfirm={run('cancel')}>
          Cancel
        </ConfirmButton>
      ) : null}
      {canAct && final ? (
        <ConfirmButton variant="danger" question="Delete this job for good?" onConfirm={run('delete')}>
          Delete
        </ConfirmButton>
      ) : null}
      {canEnqueue ? (
        <a className="btn btn-plain" href={href('/enqueue', { from: job.id })}>
          Duplicate
        </a>
      ) : null}
    </div>
  );
}
