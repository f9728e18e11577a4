/**
 * Every queue with its counts by state, how long its oldest due job has waited, the live
 * workers serving it, paused flag and concurrency cap. On a phone each queue is a card.
 */
import { JOB_STATES } from '../api/types.js';
import { href } from '../hooks/use-route.js';
import { QueueLatency, QueueWorkers, type LoadedQueue } from './queue-health.js';

/** Each count links to the jobs list filtered by that queue and state. */
export function QueueCountsTable({ queues }: { queues: LoadedQueue[] }) {
  if (queues.length === 0) return <p className="muted">No queues yet: enqueue a job to create one.</p>;
  return (
    <div className="table-wrap">
      <table className="table cards" data-testid="queue-counts">
        <thead>
          <tr>
            <th scope="col">Queue</th>
            {JOB_STATES.map((s) => (
              <th scope="col" key={s} className="num">
                {s}
              </th>
            ))}
            <th scope="col">Oldest waiting</th>
            <th scope="col">Workers</th>
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
                <td key={s} className="num" data-state={s} data-label={s}>
                  <a href={href('/jobs', { queue: q.name, state: s })}>{q.counts[s] ?? 0}</a>
                </td>
              ))}
              <td data-label="oldest waiting">
                <QueueLatency queue={q} />
              </td>
              <td data-label="workers">
                <QueueWorkers queue={q} />
              </td>
              <td data-label="status">{q.paused ? <span className="badge paused">paused</span> : 'active'}</td>
              <td className="num" data-label="cap">
                {q.concurrency ?? '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
