/** The queues page. */
import { endpoints } from '../api/endpoints.js';
import { ErrorBanner } from '../components/error-banner.js';
import { QueuesTable } from '../components/queues-table.js';
import { useCanAct } from '../hooks/use-auth.js';
import { useResource } from '../hooks/use-resource.js';

/** Queues with their health, pause / resume and the concurrency cap. */
export function QueuesPage() {
  const canAct = useCanAct();
  const queues = useResource(
    endpoints.queues,
    'queues',
    (e) => e.type.startsWith('queue.') || e.type.startsWith('job.') || e.type.startsWith('worker.'),
    { minIntervalMs: 1000 },
  );
  return (
    <div className="page">
      <h1>Queues</h1>
      <ErrorBanner error={queues.error} />
      {queues.data ? (
        <QueuesTable queues={queues.data} canAct={canAct} onDone={queues.reload} />
      ) : (
        <p className="muted">Loading…</p>
      )}
    </div>
  );
}
