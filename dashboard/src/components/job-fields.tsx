/** The job's scalar fields as a definition list. */
import type { JobJson } from '../api/types.js';
import { RelativeTime } from './relative-time.js';
import { StateBadge } from './state-badge.js';

/** Id, type, queue, state, attempts, priority, times, worker, tags. */
export function JobFields({ job }: { job: JobJson }) {
  return (
    <dl className="fields">
      <dt>State</dt>
      <dd data-testid="job-state">
        <StateBadge state={job.state} />
      </dd>
      <dt>Type</dt>
      <dd>
        <code>{job.type}</code>
      </dd>
      <dt>Queue</dt>
      <dd>{job.queue}</dd>
      <dt>Attempts</dt>
      <dd>
        {job.attempts} of {job.maxAttempts}
      </dd>
      <dt>Priority</dt>
      <dd>{job.priority}</dd>
      <dt>Created</dt>
      <dd>
        <RelativeTime value={job.createdAt} />
      </dd>
      <dt>Run at</dt>
      <dd>
        <RelativeTime value={job.runAt} />
      </dd>
      <dt>Started</dt>
      <dd>
        <RelativeTime value={job.startedAt} />
      </dd>
      <dt>Finished</dt>
      <dd>
        <RelativeTime value={job.finishedAt} />
      </dd>
      <dt>Worker</dt>
      <dd className="mono">{job.workerId ?? '—'}</dd>
      {job.deadline ? (
        <>
          <dt>Deadline</dt>
          <dd>
            <RelativeTime value={job.deadline} />
          </dd>
        </>
      ) : null}
      {job.deleteOnComplete ? (
        <>
          <dt>On completion</dt>
          <dd>deleted</dd>
        </>
      ) : null}
      {job.tags.length ? (
        <>
          <dt>Tags</dt>
          <dd>{job.tags.join(', ')}</dd>
        </>
      ) : null}
    </dl>
  );
}
