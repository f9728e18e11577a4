// Small statistics helpers: the harness reports medians of repeats and latency percentiles.
import { readFileSync } from 'node:fs';

/** The median of a list of numbers (mean of the two middle values for an even count); NaN when empty. */
export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The p-th percentile (0–100) by nearest rank, the usual definition for latency reports. */
export function percentile(values, p) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const rank = Math.min(v.length, Math.max(1, Math.ceil((p / 100) * v.length)));
  return v[rank - 1];
}

/** Arithmetic mean; NaN when empty. */
export function mean(values) {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Milliseconds of the machine's monotonic clock with sub-millisecond precision, comparable
 * across processes of one machine (an enqueue in one, the start in another). Not
 * `performance.timeOrigin + performance.now()`: each process reads its wall-clock origin once,
 * when it starts, so while the system clock is being slewed two processes started minutes
 * apart disagree by a fraction of a millisecond, which an enqueue→start latency is.
 */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Formats a rate or a duration for a table: thousands separated, a sensible number of decimals. */
export function fmt(value, decimals = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Milliseconds per tick of the kernel's CPU counters in `/proc/stat` (USER_HZ, 100 on Linux). */
const TICK_MS = 10;

/**
 * CPU time the whole machine has spent busy so far, in ms (user, nice, system, irq and softirq
 * of every core from `/proc/stat`; idle, iowait and steal left out); `null` where there is no
 * `/proc`. On a machine of few cores the wall-clock rate of a drain moves by a third from
 * minute to minute, while the CPU it costs per job, worker and engine server together, stays.
 */
export function machineBusyMs() {
  try {
    const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]
      .trim()
      .split(/\s+/)
      .map(Number);
    return (user + nice + system + irq + softirq) * TICK_MS;
  } catch {
    return null;
  }
}
