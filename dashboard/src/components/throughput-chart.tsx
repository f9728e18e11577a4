/** Completions and failures per minute over the last hour (recharts). */
import { useSyncExternalStore } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useNow } from '../hooks/use-now.js';
import { throughput } from '../lib/throughput.js';

const timeLabel = (t: number): string => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** Re-renders when a job finishes and once a minute as the window slides. */
export function ThroughputChart() {
  useSyncExternalStore(throughput.subscribe, throughput.version);
  const now = useNow(60_000);
  const data = throughput.buckets(Math.max(now, Date.now()));
  const totals = data.reduce((a, b) => ({ completed: a.completed + b.completed, failed: a.failed + b.failed }), {
    completed: 0,
    failed: 0,
  });
  return (
    <figure className="chart" aria-label="Throughput over the last hour">
      <figcaption>
        Last hour: <strong data-testid="completed-hour">{totals.completed}</strong> completed,{' '}
        <strong data-testid="failed-hour">{totals.failed}</strong> failed attempts
      </figcaption>
      <div className="chart-box">
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
            <XAxis dataKey="t" tickFormatter={timeLabel} minTickGap={40} stroke="var(--muted)" fontSize={12} />
            <YAxis allowDecimals={false} stroke="var(--muted)" fontSize={12} />
            <Tooltip
              labelFormatter={(t) => timeLabel(Number(t))}
              contentStyle={{ background: 'var(--surface)', border: '1px solid var(--border)' }}
            />
            <Legend />
            <Bar dataKey="completed" stackId="a" fill="var(--ok)" isAnimationActive={false} />
            <Bar dataKey="failed" stackId="a" fill="var(--bad)" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
