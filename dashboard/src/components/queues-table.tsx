/**
 * Queues with their health and operator controls: waiting, running and failed counts, how long
 * the oldest due job has waited, the live workers serving each (a warning when none does),
 * pause / resume, the concurrency cap and the queue's defaults (its jobs' timeout and attempts,
 * its weight for workers). On a phone each queue is a card.
 */
import { endpoints } from '../api/endpoints.js';
import type { QueueJson } from '../api/types.js';
import { href } from '../hooks/use-route.js';
import { ActionButton } from './action-button.js';
import { ConcurrencyForm } from './concurrency-form.js';
import { QueueDefaultsForm } from './queue-defaults-form.js';
import { QueueLatency, QueueWorkers, type LoadedQueue } from './queue-health.js';

/** Props of `QueuesTable`. */
export interface QueuesTableProps {
  queues: LoadedQueue[];
  canAct: boolean;
  onDone: () => void;
}

const waiting = (q: QueueJson): number => q.counts.queued + q.counts.scheduled + q.counts.retrying;

/** A queue's defaults as text, for those who cannot change them. */
function defaultsText(q: QueueJson): string {
  const show = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : String(v));
  const timeout = q.timeoutMs === null || q.timeoutMs === undefined ? '–' : `${Math.ceil(q.timeoutMs / 1000)}s`;
  return `${timeout}, ${show(q.maxAttempts)}, ${show(q.weight)}`;
}

/** One row per queue. */
export function QueuesTable({ queues, canAct, onDone }: QueuesTableProps) {
  if (queues.length === 0) return <p className="muted">No queues yet.</p>;
  return (
    <div className="table-wrap">
      <table className="table cards" data-testid="queues-table">
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
            <th scope="col" className="num">
              Failed
            </th>
            <th scope="col">Oldest waiting</th>
            <th scope="col">Workers</th>
            <th scope="col">Concurrency cap</th>
            <th scope="col">Defaults (timeout s, attempts, weight)</th>
            {canAct ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => (
            <tr key={q.name} data-queue={q.name}>
              <th scope="row" className="card-title">
                {q.name}
              </th>
              <td data-testid="queue-status" data-label="status">
                {q.paused ? <span className="badge paused">paused</span> : 'active'}
              </td>
              <td className="num" data-label="waiting">
                {waiting(q)}
              </td>
              <td className="num" data-label="running">
                {q.counts.running}
              </td>
              <td className="num" data-label="failed" data-testid="queue-failed">
                <a href={href('/jobs', { queue: q.name, state: 'failed' })}>{q.counts.failed}</a>
              </td>
              <td data-label="oldest waiting">
                <QueueLatency queue={q} />
              </td>
              <td data-label="workers">
                <QueueWorkers queue={q} />
              </td>
              <td data-label="cap">
                {canAct ? (
                  <ConcurrencyForm key={String(q.concurrency)} queue={q.name} current={q.concurrency} onDone={onDone} />
                ) : (
                  (q.concurrency ?? 'none')
                )}
              </td>
              <td data-label="defaults">
                {canAct ? (
                  <QueueDefaultsForm
                    key={`${q.timeoutMs}:${q.maxAttempts}:${q.weight}`}
                    queue={q.name}
                    current={{
                      timeoutMs: q.timeoutMs ?? null,
                      maxAttempts: q.maxAttempts ?? null,
                      weight: q.weight ?? null,
                    }}
                    onDone={onDone}
                  />
                ) : (
                  defaultsText(q)
                )}
              </td>
              {canAct ? (
                <td data-label="actions">
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
