/**
 * Completions, failures and retried attempts per minute over the last hour, as stacked SVG
 * bars. The data comes from the server (`GET /stats`); this re-renders only when that changes.
 * Hand-written (a few dozen lines of SVG) instead of a charting library: the chart was the
 * dashboard's heaviest dependency and its slowest render.
 */
import { memo, useMemo } from 'react';
import type { ThroughputMinute } from '../api/types.js';
import { chartData, niceMax, timeLabel } from '../lib/chart.js';

const W = 600;
const H = 200;
const LEFT = 36;
const BOTTOM = 20;
const TOP = 8;

/** The chart of `minutes` (oldest first). */
export const ThroughputChart = memo(function ThroughputChart({ minutes }: { minutes: ThroughputMinute[] }) {
  const { bars, totals, max } = useMemo(() => chartData(minutes), [minutes]);
  const top = niceMax(max);
  const plotH = H - TOP - BOTTOM;
  const slot = bars.length > 0 ? (W - LEFT) / bars.length : 0;
  const y = (v: number): number => (v / top) * plotH;
  return (
    <figure className="chart" aria-label="Throughput over the last hour">
      <figcaption>
        Last hour: <strong data-testid="completed-hour">{totals.completed}</strong> completed,{' '}
        <strong data-testid="failed-hour">{totals.failed}</strong> failed,{' '}
        <strong data-testid="retried-hour">{totals.retried}</strong> attempts to retry
      </figcaption>
      <svg className="chart-svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Jobs per minute">
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line className="chart-grid" x1={LEFT} x2={W} y1={TOP + plotH - f * plotH} y2={TOP + plotH - f * plotH} />
            <text className="chart-axis" x={LEFT - 4} y={TOP + plotH - f * plotH + 4} textAnchor="end">
              {Math.round(top * f)}
            </text>
          </g>
        ))}
        {bars.map((b, i) => {
          const x = LEFT + i * slot + slot * 0.1;
          const w = slot * 0.8;
          const hc = y(b.completed);
          const hf = y(b.failed);
          const hr = y(b.retried);
          const base = TOP + plotH;
          return (
            <g key={b.t}>
              <title>{`${timeLabel(b.t)}: ${b.completed} completed, ${b.failed} failed, ${b.retried} to retry`}</title>
              {hc > 0 ? <rect className="bar-ok" x={x} y={base - hc} width={w} height={hc} /> : null}
              {hf > 0 ? <rect className="bar-bad" x={x} y={base - hc - hf} width={w} height={hf} /> : null}
              {hr > 0 ? <rect className="bar-warn" x={x} y={base - hc - hf - hr} width={w} height={hr} /> : null}
              {i % 10 === 0 ? (
                <text className="chart-axis" x={x + w / 2} y={H - 4} textAnchor="middle">
                  {timeLabel(b.t)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <p className="chart-legend">
        <span className="key key-ok" /> completed <span className="key key-bad" /> failed{' '}
        <span className="key key-warn" /> failed attempts to retry
      </p>
    </figure>
  );
});
