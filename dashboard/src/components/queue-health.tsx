/**
 * A queue's health at a glance: how long its oldest due job has waited, and a warning when no
 * live worker takes its jobs (they would wait forever without a word).
 */
import type { QueueJson } from '../api/types.js';
import { useNow } from '../hooks/use-now.js';
import { formatDuration } from '../lib/time.js';

/** A queue as loaded, with the time the answer came (the latency keeps ticking from there). */
export type LoadedQueue = QueueJson & { loadedAt?: number };

/** The oldest due job's wait, growing while shown; `—` when nothing is due. */
export function QueueLatency({ queue }: { queue: LoadedQueue }) {
  const now = useNow();
  if (queue.latencyMs === null || queue.latencyMs === undefined) return <span className="muted">—</span>;
  const ms = queue.latencyMs + Math.max(0, now - (queue.loadedAt ?? now));
  return (
    <span data-testid="queue-latency" title={queue.oldestDueAt ? `due since ${queue.oldestDueAt}` : undefined}>
      {formatDuration(ms)}
    </span>
  );
}

/** Live workers serving the queue, or a warning when there is none (and it is not paused). */
export function QueueWorkers({ queue }: { queue: LoadedQueue }) {
  if (queue.workers === undefined) return <span className="muted">—</span>;
  if (queue.workers > 0) return <span data-testid="queue-workers">{queue.workers}</span>;
  const waiting = queue.counts.queued + queue.counts.scheduled + queue.counts.retrying;
  return (
    <span
      className={`badge warn${waiting > 0 && !queue.paused ? ' warn-strong' : ''}`}
      data-testid="no-worker"
      title={`No live worker takes jobs from ${queue.name}: start one with gantry worker --queues ${queue.name}`}
    >
      no worker
    </span>
  );
}
