/**
 * The first page: queues with counts, latency and workers; the last hour's throughput; workers
 * alive; the latest failures. Everything comes counted from the server, and under load each
 * part reloads at most once per its interval, however many events arrive.
 */
import { useEffect } from 'react';
import { endpoints } from '../api/endpoints.js';
import type { GantryEvent } from '../api/types.js';
import { ErrorBanner } from '../components/error-banner.js';
import { LatestFailures } from '../components/latest-failures.js';
import { QueueCountsTable } from '../components/queue-counts-table.js';
import { ThroughputChart } from '../components/throughput-chart.js';
import { useResource } from '../hooks/use-resource.js';
import { href } from '../hooks/use-route.js';

/** Least time between two reloads of the queue table under load, ms. */
const QUEUES_INTERVAL_MS = 1000;
/** The same for the chart, the worker count and the latest failures, ms. */
const STATS_INTERVAL_MS = 2000;
/** The chart's window slides by a minute; reload at least this often when idle, ms. */
const SLIDE_MS = 60_000;

const isJobOrQueue = (e: GantryEvent): boolean => e.type.startsWith('job.') || e.type.startsWith('queue.');
const isStat = (e: GantryEvent): boolean =>
  e.type === 'job.completed' || e.type === 'job.failed' || e.type === 'job.retrying' || e.type.startsWith('worker.');
const isFailure = (e: GantryEvent): boolean => e.type === 'job.failed' || e.type === 'job.deleted';

/** The overview. */
export function OverviewPage() {
  const queues = useResource(endpoints.queues, 'queues', isJobOrQueue, { minIntervalMs: QUEUES_INTERVAL_MS });
  const stats = useResource(endpoints.stats, 'stats', isStat, { minIntervalMs: STATS_INTERVAL_MS });
  const failures = useResource(() => endpoints.jobs({ state: 'failed' }, 5, null), 'failures', isFailure, {
    minIntervalMs: STATS_INTERVAL_MS,
  });
  const { reload } = stats;
  useEffect(() => {
    const t = setInterval(reload, SLIDE_MS);
    return () => clearInterval(t);
  }, [reload]);
  return (
    <div className="page">
      <h1>Overview</h1>
      <ErrorBanner error={queues.error ?? stats.error} />
      <section className="card" aria-labelledby="ov-queues">
        <h2 id="ov-queues">Queues</h2>
        {queues.data ? <QueueCountsTable queues={queues.data} /> : <p className="muted">Loading…</p>}
      </section>
      <div className="grid-2">
        <section className="card" aria-labelledby="ov-throughput">
          <h2 id="ov-throughput">Throughput</h2>
          {stats.data ? <ThroughputChart minutes={stats.data.throughput} /> : <p className="muted">Loading…</p>}
        </section>
        <section className="card" aria-labelledby="ov-workers">
          <h2 id="ov-workers">Workers</h2>
          <p className="big-number">
            <a href={href('/workers')} data-testid="workers-alive">
              {stats.data?.workers ?? '…'}
            </a>{' '}
            <span className="muted">alive</span>
          </p>
          <h2>Latest failures</h2>
          <ErrorBanner error={failures.error} />
          {failures.data ? <LatestFailures jobs={failures.data.jobs} /> : null}
        </section>
      </div>
    </div>
  );
}
