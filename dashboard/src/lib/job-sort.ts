/**
 * Sorting a page of jobs by a column. The server pages newest first (by id); a column sort
 * orders the page on screen, and each value is what the column shows.
 */
import type { JobJson } from '../api/types.js';

/** Columns that sort. */
export type SortKey =
  'type' | 'queue' | 'state' | 'priority' | 'attempts' | 'progress' | 'runsAt' | 'duration' | 'created';

/** A column and its direction. */
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

const time = (iso: string | null): number => (iso ? Date.parse(iso) : Number.NaN);

/** How long the job ran (or has run so far, while running), ms; `null` before it started. */
export function durationOf(j: JobJson, now: number): number | null {
  if (!j.startedAt) return null;
  const end = j.finishedAt ? time(j.finishedAt) : j.state === 'running' ? now : Number.NaN;
  const d = end - time(j.startedAt);
  return Number.isFinite(d) && d >= 0 ? d : null;
}

/** When a waiting job runs next (`runAt` of a scheduled or retrying job), else `null`. */
export function runsAt(j: JobJson): number | null {
  return j.state === 'scheduled' || j.state === 'retrying' ? time(j.runAt) : null;
}

function value(j: JobJson, key: SortKey, now: number): string | number | null {
  switch (key) {
    case 'type':
    case 'queue':
    case 'state':
      return j[key];
    case 'priority':
    case 'attempts':
      return j[key];
    case 'progress':
      return j.progress?.percent ?? null;
    case 'runsAt':
      return runsAt(j);
    case 'duration':
      return durationOf(j, now);
    case 'created':
      return time(j.createdAt);
  }
}

/** `jobs` ordered by `sort` (a copy; ties and empty values keep the server's order, empties last). */
export function sortJobs(jobs: JobJson[], sort: Sort | null, now: number): JobJson[] {
  if (!sort) return jobs;
  const sign = sort.dir === 'asc' ? 1 : -1;
  return jobs
    .map((j, i) => ({ j, i, v: value(j, sort.key, now) }))
    .sort((a, b) => {
      const an = a.v === null || (typeof a.v === 'number' && Number.isNaN(a.v));
      const bn = b.v === null || (typeof b.v === 'number' && Number.isNaN(b.v));
      if (an || bn) return an === bn ? a.i - b.i : an ? 1 : -1;
      const c = a.v! < b.v! ? -1 : a.v! > b.v! ? 1 : 0;
      return c === 0 ? a.i - b.i : c * sign;
    })
    .map((x) => x.j);
}

/** The next sort of a column header click: ascending, descending, then the server's order. */
export function nextSort(current: Sort | null, key: SortKey): Sort | null {
  if (current?.key !== key) return { key, dir: 'asc' };
  return current.dir === 'asc' ? { key, dir: 'desc' } : null;
}
