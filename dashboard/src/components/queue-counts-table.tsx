/** Every queue with its counts by state, paused flag and concurrency cap. */
import { JOB_STATES, type QueueJson } from '../api/types.js';
import { href } from '../hooks/use-route.js';

/** Each count links to the jobs list filtered by that queue and state. */
export function QueueCountsTable({ queues }: { queues: QueueJson[] }) {
  if (queues.length === 0) return <p className="muted">No queues yet: enqueue a job to create one.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="queue-counts">
        <thead>
          <tr>
            <th scope="col">Queue</th>
            {JOB_STATES.map((s) => (
              <th scope="col" key={s} className="num">
                {s}
              </th>
            ))}
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Cap
            </th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.name} data-queue={q.name}>
              <th scope="row">
                <a href={href('/jobs', { queue: q.name })}>{q.name}</a>
              </th>
              {JOB_STATES.map((s) => (
                <td key={s} className="num" data-state={s}>
                  <a href={href('/jobs', { queue: q.name, state: s })}>{q.counts[s] ?? 0}</a>
                </td>
              ))}
              <td>{q.paused ? <span className="badge paused">paused</span> : 'active'}</td>
              <td className="num">{q.concurrency ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
