/** Queues with their operator controls: pause / resume and the concurrency cap. */
import { endpoints } from '../api/endpoints.js';
import type { QueueJson } from '../api/types.js';
import { ActionButton } from './action-button.js';
import { ConcurrencyForm } from './concurrency-form.js';

/** Props of `QueuesTable`. */
export interface QueuesTableProps {
  queues: QueueJson[];
  canAct: boolean;
  onDone: () => void;
}

const waiting = (q: QueueJson): number => q.counts.queued + q.counts.scheduled + q.counts.retrying;

/** One row per queue. */
export function QueuesTable({ queues, canAct, onDone }: QueuesTableProps) {
  if (queues.length === 0) return <p className="muted">No queues yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="queues-table">
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Waiting
            </th>
            <th scope="col" className="num">
              Running
            </th>
            <th scope="col">Concurrency cap</th>
            {canAct ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.name} data-queue={q.name}>
              <th scope="row">{q.name}</th>
              <td data-testid="queue-status">{q.paused ? <span className="badge paused">paused</span> : 'active'}</td>
              <td className="num">{waiting(q)}</td>
              <td className="num">{q.counts.running}</td>
              <td>
                {canAct ? (
                  <ConcurrencyForm key={String(q.concurrency)} queue={q.name} current={q.concurrency} onDone={onDone} />
                ) : (
                  (q.concurrency ?? 'none')
                )}
              </td>
              {canAct ? (
                <td>
                  <ActionButton
                    variant={q.paused ? 'primary' : 'plain'}
                    onRun={() => endpoints.queuePause(q.name, !q.paused).then(onDone)}
                  >
                    {q.paused ? 'Resume' : 'Pause'}
                  </ActionButton>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
