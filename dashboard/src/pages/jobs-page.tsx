/**
 * The jobs list: tabs by state with counts, filters (ids may be short), a page of jobs with
 * sortable columns, cursor pagination, bulk actions; refreshed live (at most twice a second).
 */
import { useCallback, useMemo, useState } from 'react';
import { endpoints } from '../api/endpoints.js';
import { JOB_STATES, type GantryEvent, type JobFilter, type QueueJson, type StateCounts } from '../api/types.js';
import { BulkBar } from '../components/bulk-bar.js';
import { ErrorBanner } from '../components/error-banner.js';
import { JobsFilters } from '../components/jobs-filters.js';
import { JobsTable } from '../components/jobs-table.js';
import { Pager } from '../components/pager.js';
import { StateTabs } from '../components/state-tabs.js';
import { useCanAct, useCanEnqueue } from '../hooks/use-auth.js';
import { useResource } from '../hooks/use-resource.js';
import { href } from '../hooks/use-route.js';

/** Jobs per page. */
const PAGE_SIZE = 50;

/** Least time between two reloads of the state counts under load, ms. */
const COUNTS_INTERVAL_MS = 1000;

/** Counts by state summed over the queues the filter names (all when it names none). */
function countsOf(queues: QueueJson[], filter: JobFilter): StateCounts {
  const names = filter.queue ? new Set(filter.queue.split(',').map((q) => q.trim())) : null;
  const out = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as StateCounts;
  for (const q of queues) if (!names || names.has(q.name)) for (const s of JOB_STATES) out[s] += q.counts[s] ?? 0;
  return out;
}

const isJob = (e: GantryEvent): boolean => e.type.startsWith('job.');

/** The jobs page; `filter` comes from the URL. */
export function JobsPage({ filter }: { filter: JobFilter }) {
  const filterKey = JSON.stringify(filter);
  const [cursors, setCursors] = useState<{ key: string; stack: (string | null)[] }>({ key: filterKey, stack: [null] });
  const stack = cursors.key === filterKey ? cursors.stack : [null];
  const cursor = stack.at(-1) ?? null;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const canAct = useCanAct();
  const canEnqueue = useCanEnqueue();
  const affects = useCallback(
    (e: GantryEvent) => isJob(e) && (!filter.queue || filter.queue.split(',').includes(e.queue ?? '')),
    [filter.queue],
  );
  const page = useResource(() => endpoints.jobs(filter, PAGE_SIZE, cursor), `${filterKey}|${cursor}`, affects);
  const queues = useResource(endpoints.queues, 'queues', isJob, { minIntervalMs: COUNTS_INTERVAL_MS });
  const jobs = useMemo(() => page.data?.jobs ?? [], [page.data]);
  const counts = useMemo(() => (queues.data ? countsOf(queues.data, filter) : undefined), [queues.data, filter]);

  const move = (next: (string | null)[]): void => {
    setCursors({ key: filterKey, stack: next });
    setSelected(new Set());
  };
  const toggle = (id: string): void => {
    const s = new Set(selected);
    if (!s.delete(id)) s.add(id);
    setSelected(s);
  };
  const toggleAll = (): void => {
    setSelected(jobs.every((j) => selected.has(j.id)) ? new Set() : new Set(jobs.map((j) => j.id)));
  };
  return (
    <div className="page">
      <div className="page-head">
        <h1>Jobs</h1>
        {canEnqueue ? (
          <a className="btn btn-primary" href={href('/enqueue')}>
            New job
          </a>
        ) : null}
      </div>
      <StateTabs filter={filter} counts={counts} />
      <JobsFilters filter={filter} />
      {canAct ? (
        <BulkBar
          selected={[...selected]}
          filter={filter}
          onDone={() => {
            setSelected(new Set());
            page.reload();
          }}
        />
      ) : null}
      <ErrorBanner error={page.error} />
      {page.data ? (
        <JobsTable
          jobs={jobs}
          selected={selected}
          onToggle={canAct ? toggle : null}
          onToggleAll={canAct ? toggleAll : null}
        />
      ) : (
        <p className="muted">Loading…</p>
      )}
      <Pager
        page={stack.length}
        hasPrev={stack.length > 1}
        hasNext={Boolean(page.data?.nextCursor)}
        onPrev={() => move(stack.slice(0, -1))}
        onNext={() => move([...stack, page.data?.nextCursor ?? null])}
      />
    </div>
  );
}
