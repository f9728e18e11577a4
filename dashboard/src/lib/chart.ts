/**
 * The throughput chart's numbers: the server's per-minute counts (`GET /stats`) as bars with
 * their heights and axis labels, computed once per load, never per event.
 */
import type { ThroughputMinute } from '../api/types.js';

/** One bar: a minute's counts, stacked. */
export interface ChartBar {
  t: number;
  completed: number;
  failed: number;
  retried: number;
}

/** Totals of the window. */
export interface ChartTotals {
  completed: number;
  failed: number;
  retried: number;
}

// One formatter, made once: `toLocaleTimeString` builds a new one on every call.
const HOUR_MINUTE = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** `14:05` in the browser's time zone. */
export function timeLabel(t: number): string {
  return HOUR_MINUTE.format(t);
}

/** Bars oldest first, and the window's totals. */
export function chartData(rows: ThroughputMinute[]): { bars: ChartBar[]; totals: ChartTotals; max: number } {
  const totals: ChartTotals = { completed: 0, failed: 0, retried: 0 };
  let max = 0;
  const bars = rows.map((r) => {
    const b: ChartBar = {
      t: Date.parse(r.minute),
      completed: r.completed,
      failed: r.failed,
      retried: r.retried ?? 0,
    };
    totals.completed += b.completed;
    totals.failed += b.failed;
    totals.retried += b.retried;
    max = Math.max(max, b.completed + b.failed + b.retried);
    return b;
  });
  return { bars, totals, max };
}

/** A round top for the y axis: 1, 2, 5 × 10ⁿ at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}
