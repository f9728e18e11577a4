/** Registered workers: where they run, what they take, how busy, when last heard from. */
import type { WorkerJson } from '../api/types.js';
import { RelativeTime } from './relative-time.js';

/** One row per worker. */
export function WorkersTable({ workers }: { workers: WorkerJson[] }) {
  if (workers.length === 0) return <p className="muted">No worker is alive. Start one with `gantry worker`.</p>;
  return (
    <div className="table-wrap">
      <table className="table cards" data-testid="workers-table">
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Host</th>
            <th scope="col" className="num">
              Pid
            </th>
            <th scope="col">Queues (weight)</th>
            <th scope="col" className="num">
              Running
            </th>
            <th scope="col">Started</th>
            <th scope="col">Last heartbeat</th>
          </tr>
        </thead>
        <tbody>
          {workers.map((w) => (
            <tr key={w.id}>
              <td className="mono card-title">
                {w.id}
                {w.kind ? <span className="badge">{w.kind}</span> : null}
              </td>
              <td data-label="host">{w.host}</td>
              <td className="num" data-label="pid">
                {w.pid}
              </td>
              <td data-label="queues">{w.queues.map((q) => `${q.name} (${q.weight})`).join(', ')}</td>
              <td className="num" data-label="running">
                {w.running.length}/{w.concurrency}
              </td>
              <td data-label="started">
                <RelativeTime value={w.startedAt} />
              </td>
              <td data-label="last heartbeat">
                <RelativeTime value={w.lastSeenAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
