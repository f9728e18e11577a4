/** A page of jobs, with a checkbox per row for bulk actions. */
import type { JobJson } from '../api/types.js';
import { href } from '../hooks/use-route.js';
import { RelativeTime } from './relative-time.js';
import { StateBadge } from './state-badge.js';

/** Props of `JobsTable`. */
export interface JobsTableProps {
  jobs: JobJson[];
  selected: Set<string>;
  /** `null` hides the checkboxes (a role that cannot act). */
  onToggle: ((id: string) => void) | null;
  onToggleAll: (() => void) | null;
}

/** The table; a row's id links to the job's detail. */
export function JobsTable({ jobs, selected, onToggle, onToggleAll }: JobsTableProps) {
  if (jobs.length === 0) return <p className="muted">No jobs match.</p>;
  const all = jobs.every((j) => selected.has(j.id));
  return (
    <div className="table-wrap">
      <table className="table" data-testid="jobs-table">
        <thead>
          <tr>
            {onToggleAll ? (
              <th scope="col">
                <input type="checkbox" aria-label="Select all on this page" checked={all} onChange={onToggleAll} />
              </th>
            ) : null}
            <th scope="col">Id</th>
            <th scope="col">Type</th>
            <th scope="col">Queue</th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Attempts
            </th>
            <th scope="col">Created</th>
            <th scope="col">Finished</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id} data-job-id={j.id}>
              {onToggle ? (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select job ${j.id}`}
                    checked={selected.has(j.id)}
                    onChange={() => onToggle(j.id)}
                  />
                </td>
              ) : null}
              <td>
                <a className="mono" href={href(`/jobs/${encodeURIComponent(j.id)}`)}>
                  {j.id.slice(-12)}
                </a>
              </td>
              <td>
                <code>{j.type}</code>
                {j.tags.map((t) => (
                  <span key={t} className="tag">
                    {t}
                  </span>
                ))}
              </td>
              <td>{j.queue}</td>
              <td>
                <StateBadge state={j.state} />
              </td>
              <td className="num">
                {j.attempts}/{j.maxAttempts}
              </td>
              <td>
                <RelativeTime value={j.createdAt} />
              </td>
              <td>
                <RelativeTime value={j.finishedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
