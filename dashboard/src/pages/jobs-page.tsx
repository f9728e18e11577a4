/** The jobs list: filters, a page of jobs, cursor pagination, bulk actions; refreshed live. */
import { useCallback, useMemo, useState } from 'react';
import { endpoints } from '../api/endpoints.js';
import type { GantryEvent, JobFilter } from '../api/types.js';
import { BulkBar } from '../components/bulk-bar.js';
import { ErrorBanner } from '../components/error-banner.js';
import { JobsFilters } from '../components/jobs-filters.js';
import { JobsTable } from '../components/jobs-table.js';
import { Pager } from '../components/pager.js';
import { useCanAct } from '../hooks/use-auth.js';
import { useResource } from '../hooks/use-resource.js';

/** Jobs per page. */
const PAGE_SIZE = 50;

/** The jobs page; `filter` comes from the URL. */
export function JobsPage({ filter }: { filter: JobFilter }) {
  const filterKey = JSON.stringify(filter);
  const [cursors, setCursors] = useState<{ key: string; stack: (string | null)[] }>({ key: filterKey, stack: [null] });
  const stack = cursors.key === filterKey ? cursors.stack : [null];
  const cursor = stack.at(-1) ?? null;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const canAct = useCanAct();
  const affects = useCallback(
    (e: GantryEvent) => e.type.startsWith('job.') && (!filter.queue || e.queue === filter.queue),
    [filter.queue],
  );
  const page = useResource(() => endpoints.jobs(filter, PAGE_SIZE, cursor), `${filterKey}|${cursor}`, affects);
  const jobs = useMemo(() => page.data?.jobs ?? [], [page.data]);

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
      <h1>Jobs</h1>
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
