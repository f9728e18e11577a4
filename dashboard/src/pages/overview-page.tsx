/** The first page: queues with counts, throughput, workers alive, latest failures. */
import { endpoints } from '../api/endpoints.js';
import type { GantryEvent } from '../api/types.js';
import { ErrorBanner } from '../components/error-banner.js';
import { LatestFailures } from '../components/latest-failures.js';
import { QueueCountsTable } from '../components/queue-counts-table.js';
import { ThroughputChart } from '../components/throughput-chart.js';
import { useResource } from '../hooks/use-resource.js';
import { href } from '../hooks/use-route.js';
import { throughput } from '../lib/throughput.js';

/** Jobs fetched per state to seed the throughput chart (the server's largest page). */
const SEED_LIMIT = 1000;

const isJobOrQueue = (e: GantryEvent): boolean => e.type.startsWith('job.') || e.type.startsWith('queue.');
const isWorker = (e: GantryEvent): boolean => e.type.startsWith('worker.');
const isFailure = (e: GantryEvent): boolean => e.type === 'job.failed' || e.type === 'job.deleted';

/** Fills the chart from job records and the server's counts; live events add to it from then on. */
async function seedThroughput(): Promise<true> {
  const [stats, ...pages] = await Promise.all([
    endpoints.stats(),
    ...(['completed', 'failed', 'retrying'] as const).map((state) => endpoints.jobs({ state }, SEED_LIMIT, null)),
  ]);
  for (const p of pages) throughput.addJobs(p.jobs);
  if (Array.isArray(stats.throughput)) throughput.setServer(stats.throughput);
  return true;
}

/** The overview. */
export function OverviewPage() {
  const queues = useResource(endpoints.queues, 'queues', isJobOrQueue);
  const workers = useResource(endpoints.workers, 'workers', isWorker);
  const failures = useResource(() => endpoints.jobs({ state: 'failed' }, 5, null), 'failures', isFailure);
  const seed = useResource(seedThroughput, 'seed');
  return (
    <div className="page">
      <h1>Overview</h1>
      <ErrorBanner error={queues.error ?? workers.error ?? seed.error} />
      <section className="card" aria-labelledby="ov-queues">
        <h2 id="ov-queues">Queues</h2>
        {queues.data ? <QueueCountsTable queues={queues.data} /> : <p className="muted">Loading…</p>}
      </section>
      <div className="grid-2">
        <section className="card" aria-labelledby="ov-throughput">
          <h2 id="ov-throughput">Throughput</h2>
          <ThroughputChart />
        </section>
        <section className="card" aria-labelledby="ov-workers">
          <h2 id="ov-workers">Workers</h2>
          <p className="big-number">
            <a href={href('/workers')} data-testid="workers-alive">
              {workers.data?.length ?? '…'}
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
