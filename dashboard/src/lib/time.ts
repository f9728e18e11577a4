/** Human forms of times and durations. */

const UNITS: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
];

/** A duration in its largest sensible unit: `850 ms`, `12 s`, `3 min`, `2 h`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  for (const [size, unit] of UNITS) {
    if (abs >= size) {
      const v = abs / size;
      return `${v < 10 && unit !== 's' ? v.toFixed(1) : Math.round(v)} ${unit}`;
    }
  }
  return `${Math.round(abs)} ms`;
}

/** `5 s ago` or `in 3 min`, relative to `now`. */
export function relativeTime(iso: string | number | null | undefined, now: number): string {
  if (iso === null || iso === undefined) return '—';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const d = t - now;
  if (Math.abs(d) < 1000) return 'just now';
  return d < 0 ? `${formatDuration(d)} ago` : `in ${formatDuration(d)}`;
}

/** Local date and time, to the second, for tooltips and timelines. */
export function formatTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString();
}
