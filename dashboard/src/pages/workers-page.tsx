/** The workers page, refreshed when workers join or leave and every heartbeat period. */
import { useEffect } from 'react';
import { endpoints } from '../api/endpoints.js';
import { ErrorBanner } from '../components/error-banner.js';
import { WorkersTable } from '../components/workers-table.js';
import { useResource } from '../hooks/use-resource.js';

/** Heartbeats carry no event, so running counts are re-read this often, ms. */
const REFRESH_MS = 5000;

/** The workers list. */
export function WorkersPage() {
  const workers = useResource(
    endpoints.workers,
    'workers',
    (e) => e.type.startsWith('worker.') || e.type === 'job.started',
  );
  const { reload } = workers;
  useEffect(() => {
    const t = setInterval(reload, REFRESH_MS);
    return () => clearInterval(t);
  }, [reload]);
  return (
    <div className="page">
      <h1>Workers</h1>
      <ErrorBanner error={workers.error} />
      {workers.data ? <WorkersTable workers={workers.data} /> : <p className="muted">Loading…</p>}
    </div>
  );
}
