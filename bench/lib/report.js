// Turns results into the tables people read (medians, ratios Gantry/peer, the issue's goals).
import { fmt } from './stats.js';

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '–');

/** The rows of throughput measures: one per measure, a column per system, then Gantry/peer. */
function throughputRows(results) {
  const names = results.systems.map((s) => s.name);
  const [self, ...peers] = names;
  const rows = [['jobs/s (median)', ...names, ...peers.map((p) => `${self}/${p}`)]];
  const add = (label, bySystem) => {
    const m = names.map((n) => bySystem?.[n]?.median);
    rows.push([label, ...m.map((v) => fmt(v)), ...peers.map((_, i) => ratio(m[0], m[i + 1]))]);
  };
  for (const [key, r] of Object.entries(results.enqueue ?? {})) add(`enqueue ${key}`, r);
  for (const [key, r] of Object.entries(results.drain ?? {})) add(`drain ${key}`, r);
  return rows;
}

/** Jobs per second of busy CPU in the drains, every process of the machine counted. */
function cpuRows(results) {
  const names = results.systems.map((s) => s.name);
  const [self, ...peers] = names;
  const rows = [['drain jobs per CPU-second (median)', ...names, ...peers.map((p) => `${self}/${p}`)]];
  for (const [key, bySystem] of Object.entries(results.drainCpu ?? {})) {
    const m = names.map((n) => bySystem?.[n]?.median);
    rows.push([`drain ${key}`, ...m.map((v) => fmt(v)), ...peers.map((_, i) => ratio(m[0], m[i + 1]))]);
  }
  return rows;
}

function latencyRows(results) {
  const names = results.systems.map((s) => s.name);
  const [self, ...peers] = names;
  const rows = [['enqueue→start ms (median of runs)', ...names, ...peers.map((p) => `${self}/${p}`)]];
  for (const key of ['p50', 'p99']) {
    const m = names.map((n) => results.latency?.[n]?.[key]);
    rows.push([key, ...m.map((v) => fmt(v, 2)), ...peers.map((_, i) => ratio(m[0], m[i + 1]))]);
  }
  rows.push(['samples per run', ...names.map((n) => fmt(results.latency?.[n]?.samples)), ...peers.map(() => '')]);
  return rows;
}

function memoryRows(results) {
  const rows = [['worker memory (MiB)', 'jobs', 'drain jobs/s', 'peak RSS', 'RSS by quarter', 'flat', 'JS heap peak']];
  for (const [name, m] of Object.entries(results.memory ?? {})) {
    if (!m) continue;
    rows.push([
      name,
      fmt(m.jobs),
      fmt(m.rate),
      fmt(m.peakMiB, 1),
      m.quartersMiB.map((q) => fmt(q)).join(' / '),
      m.flat ? 'yes' : 'no',
      fmt(m.heapPeakMiB, 1),
    ]);
  }
  return rows;
}

/** The goals of issue 3 as ratios measured in this run: each met or short by how much. */
export function goals(results) {
  const out = [];
  const self = results.systems[0]?.name;
  if (self !== 'gantry') return out;
  const check = (goal, actual, target, higherIsBetter = true) => {
    if (!Number.isFinite(actual) || !Number.isFinite(target))
      return out.push({ goal, actual: null, target: null, met: null });
    const met = higherIsBetter ? actual >= target : actual <= target;
    const short = higherIsBetter ? 1 - actual / target : actual / target - 1;
    out.push({ goal, actual, target, met, shortBy: met ? 0 : short });
  };
  const med = (part, key, name) => results[part]?.[key]?.[name]?.median;
  for (const key of Object.keys(results.drain ?? {})) {
    if (results.engine === 'postgres') {
      check(
        `drain ${key} >= 1.5x graphile-worker`,
        med('drain', key, self),
        1.5 * med('drain', key, 'graphile-worker'),
      );
      check(`drain ${key} >= 3x pg-boss`, med('drain', key, self), 3 * med('drain', key, 'pg-boss'));
    } else {
      check(`drain ${key} >= 50,000 jobs/s`, med('drain', key, self), 50_000);
    }
  }
  if (results.engine === 'postgres') {
    check(
      'latency p50 <= graphile-worker',
      results.latency?.[self]?.p50,
      results.latency?.['graphile-worker']?.p50,
      false,
    );
    for (const key of ['batch 100', 'batch 1000']) {
      check(`enqueue ${key} >= graphile-worker`, med('enqueue', key, self), med('enqueue', key, 'graphile-worker'));
    }
  }
  const mem = results.memory?.[self];
  if (mem) {
    check('worker peak RSS < 150 MiB', mem.peakMiB, 150, false);
    out.push({ goal: 'worker memory flat (last ¼ vs second ¼)', actual: mem.growthMiB, target: null, met: mem.flat });
  }
  return out;
}

function goalRows(list) {
  const rows = [['goal (issue 3)', 'Gantry', 'target', 'result']];
  for (const g of list) {
    const verdict =
      g.met === null
        ? 'not measured'
        : g.met
          ? 'met'
          : g.shortBy
            ? `short by ${(g.shortBy * 100).toFixed(0)}%`
            : 'not met';
    rows.push([g.goal, fmt(g.actual, 1), fmt(g.target, 1), verdict]);
  }
  return rows;
}

/** The whole report as text: settings, throughput, latency, memory, goals, errors. */
export function render(results) {
  const parts = [
    `Gantry benchmark on ${results.engine} — ${fmt(results.jobs)} jobs, median of ${results.repeat} run(s), ${results.machine.cpus} CPUs, Node ${results.machine.node}, load ${results.machine.loadavg}${results.machine.server ? `, ${results.machine.server}` : ''}`,
    results.systems.map((s) => `  ${s.name}: ${s.settings}`).join('\n'),
  ];
  if (Object.keys(results.enqueue ?? {}).length + Object.keys(results.drain ?? {}).length > 0)
    parts.push(table(throughputRows(results)));
  if (Object.keys(results.drainCpu ?? {}).length > 0) parts.push(table(cpuRows(results)));
  if (results.latency && Object.keys(results.latency).length > 0) parts.push(table(latencyRows(results)));
  if (results.memory && Object.keys(results.memory).length > 0) parts.push(table(memoryRows(results)));
  const g = goals(results);
  if (g.length > 0) parts.push(table(goalRows(g)));
  if (results.errors.length > 0) parts.push(`Errors:\n${results.errors.map((e) => `  ${e}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}
