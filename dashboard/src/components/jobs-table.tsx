/**
 * A page of jobs: short id, type and tags, queue, state, priority, attempts, progress, when a
 * waiting job runs, how long it ran, its last error and age; a checkbox per row for bulk
 * actions; headers that sort the page. On a phone each job is a card.
 */
import { useMemo, useState } from 'react';
import type { JobJson } from '../api/types.js';
import { useNow } from '../hooks/use-now.js';
import { href } from '../hooks/use-route.js';
import { durationOf, nextSort, runsAt, sortJobs, type Sort, type SortKey } from '../lib/job-sort.js';
import { formatDuration } from '../lib/time.js';
import { shortId } from '../../../src/core/short-id.js';
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

const COLUMNS: [SortKey | null, string, string?][] = [
  [null, 'Id'],
  ['type', 'Type'],
  ['queue', 'Queue'],
  ['state', 'State'],
  ['priority', 'Priority', 'num'],
  ['attempts', 'Attempts', 'num'],
  ['progress', 'Progress', 'num'],
  ['runsAt', 'Runs in'],
  ['duration', 'Duration', 'num'],
  [null, 'Last error'],
  ['created', 'Created'],
];

function SortHeader({
  col,
  sort,
  onSort,
}: {
  col: (typeof COLUMNS)[number];
  sort: Sort | null;
  onSort: (k: SortKey) => void;
}) {
  const [key, label, cls] = col;
  if (!key) return <th scope="col">{label}</th>;
  const active = sort?.key === key;
  return (
    <th scope="col" className={cls} aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort" onClick={() => onSort(key)}>
        {label}
        <span aria-hidden="true">{active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

/** The table; a row's id links to the job's detail. */
export function JobsTable({ jobs, selected, onToggle, onToggleAll }: JobsTableProps) {
  const [sort, setSort] = useState<Sort | null>(null);
  const now = useNow();
  // Sorted once per page or sort change; the duration of running jobs is read as the page came.
  const rows = useMemo(() => sortJobs(jobs, sort, Date.now()), [jobs, sort]);
  if (jobs.length === 0) return <p className="muted">No jobs match.</p>;
  const all = jobs.every((j) => selected.has(j.id));
  return (
    <div className="table-wrap">
      <table className="table cards" data-testid="jobs-table">
        <caption className="muted table-note">
          {sort ? 'Sorted within this page; pages go newest first.' : 'Newest first.'}
        </caption>
        <thead>
          <tr>
            {onToggleAll ? (
              <th scope="col">
                <input type="checkbox" aria-label="Select all on this page" checked={all} onChange={onToggleAll} />
              </th>
            ) : null}
            {COLUMNS.map((c) => (
              <SortHeader key={c[1]} col={c} sort={sort} onSort={(k) => setSort(nextSort(sort, k))} />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((j) => {
            const due = runsAt(j);
            const ran = durationOf(j, now);
            const lastError = j.errors.at(-1)?.message;
            return (
              <tr key={j.id} data-job-id={j.id}>
                {onToggle ? (
                  <td className="select">
                    <input
                      type="checkbox"
                      aria-label={`Select job ${j.id}`}
                      checked={selected.has(j.id)}
                      onChange={() => onToggle(j.id)}
                    />
                  </td>
                ) : null}
                <td className="card-title">
                  <a className="mono" href={href(`/jobs/${encodeURIComponent(j.id)}`)} title={j.id}>
                    {shortId(j.id)}
                  </a>
                </td>
                <td data-label="type">
                  <code>{j.type}</code>
                  {j.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
                </td>
                <td data-label="queue">{j.queue}</td>
                <td data-label="state">
                  <StateBadge state={j.state} />
                </td>
                <td className="num" data-label="priority">
                  {j.priority}
                </td>
                <td className="num" data-label="attempts">
                  {j.attempts}/{j.maxAttempts}
                </td>
                <td className="num" data-label="progress" title={j.progress?.message}>
                  {j.progress ? `${Math.round(j.progress.percent)}%` : '—'}
                </td>
                <td data-label="runs in" data-testid="runs-in">
                  {due === null ? '—' : <RelativeTime value={due} />}
                </td>
                <td className="num" data-label="duration">
                  {ran === null ? '—' : formatDuration(ran)}
                </td>
                <td className={`last-error${lastError ? ' has-error' : ''}`} data-label="last error" title={lastError}>
                  {lastError ?? '—'}
                </td>
                <td data-label="created">
                  <RelativeTime value={j.createdAt} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
