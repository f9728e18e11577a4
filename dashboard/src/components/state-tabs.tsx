/**
 * The jobs list by state, as tabs with counts: all, then each state. Counts are by queue (the
 * filtered queues, or all), from the same counts the overview shows.
 */
import { JOB_STATES, type JobFilter, type StateCounts } from '../api/types.js';
import { href } from '../hooks/use-route.js';

/** Props of `StateTabs`. */
export interface StateTabsProps {
  filter: JobFilter;
  /** Counts by state of the filtered queues; `undefined` while loading. */
  counts: StateCounts | undefined;
}

/** A row of links; the current state's is marked. */
export function StateTabs({ filter, counts }: StateTabsProps) {
  const total = counts ? JOB_STATES.reduce((n, s) => n + (counts[s] ?? 0), 0) : undefined;
  const tabs: [string, string, number | undefined][] = [
    ['', 'all', total],
    ...JOB_STATES.map((s): [string, string, number | undefined] => [s, s, counts?.[s]]),
  ];
  return (
    <nav className="tabs" aria-label="Jobs by state" data-testid="state-tabs">
      {tabs.map(([state, label, n]) => (
        <a
          key={label}
          href={href('/jobs', { ...filter, state: state || undefined })}
          aria-current={(filter.state ?? '') === state ? 'page' : undefined}
          data-state={label}
        >
          {label} <span className="count">{n ?? '…'}</span>
        </a>
      ))}
    </nav>
  );
}
