// Turns results into the tables people read (medians, ratios Gantry/peer, the goals in docs/benchmarks.md).
import { fmt } from './stats.js';

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '–');

/** Gantry's configurations (names starting with `gantry`) and the peers, in the order measured. */
function sides(results) {
  const names = results.systems.map((s) => s.name);
  const selves = names.filter((n) => n.startsWith('gantry'));
  return { names, selves, peers: names.filter((n) => !selves.includes(n)) };
}

/**
 * Rows of one measure, one per key of `byKey` (labelled `prefix key`): a column per system, then
 * each Gantry configuration over each peer, as the header says (`value` picks a system's number).
 */
function compareRows(results, title, byKey, prefix, value = (x) => x?.median, decimals = 0) {
  const { names, selves, peers } = sides(results);
  const pairs = selves.flatMap((s) => peers.map((p) => [s, p]));
  const rows = [[title, ...names, ...pairs.map(([s, p]) => `${s}/${p}`)]];
  for (const [key, bySystem] of Object.entries(byKey ?? {})) {
    const v = Object.fromEntries(names.map((n) => [n, value(bySystem?.[n])]));
    rows.push([
      prefix ? `${prefix} ${key}` : key,
      ...names.map((n) => fmt(v[n], decimals)),
      ...pairs.map(([s, p]) => ratio(v[s], v[p])),
    ]);
  }
  return rows;
}

/** The rows of throughput measures: one per measure, a column per system, then Gantry/peer. */
function throughputRows(results) {
  const byKey = {};
  for (const part of ['enqueue', 'drain'])
    for (const [key, r] of Object.entries(results[part] ?? {})) byKey[`${part} ${key}`] = r;
  return compareRows(results, 'jobs/s (median)', byKey, '');
}

/** Jobs per second of busy CPU in the drains, every process of the machine counted. */
function cpuRows(results) {
  return compareRows(results, 'drain jobs per CPU-second (median)', results.drainCpu, 'drain');
}

function latencyRows(results) {
  const byKey = Object.fromEntries(
    ['p50', 'p99'].map((k) => [
      k,
      Object.fromEntries(Object.entries(results.latency ?? {}).map(([n, l]) => [n, l?.[k]])),
    ]),
  );
  const rows = compareRows(results, 'enqueue→start ms (median of runs)', byKey, '', (x) => x, 2);
  const { names } = sides(results);
  rows.push([
    'samples per run',
    ...names.map((n) => fmt(results.latency?.[n]?.samples)),
    ...rows[0].slice(names.length + 1).map(() => ''),
  ]);
  return rows;
}

/** Redis commands per job (every command, those scripts run included) and script calls per job. */
function perJobRows(results) {
  const { names } = sides(results);
  const rows = [['Redis per job: commands (scripts)', ...names]];
  for (const [key, bySystem] of Object.entries(results.perJob ?? {})) {
    rows.push([key, ...names.map((n) => `${fmt(bySystem?.[n]?.commands, 1)} (${fmt(bySystem?.[n]?.scripts, 2)})`)]);
  }
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

/** The goals of docs/benchmarks.md as ratios measured in this run, for each Gantry configuration: met or short by how much. */
export function goals(results) {
  const out = [];
  for (const self of sides(results).selves) out.push(...goalsOf(results, self));
  return out;
}

function goalsOf(results, self) {
  const out = [];
  const check = (goal, actual, target, higherIsBetter = true) => {
    goal = self === 'gantry' ? goal : `${self}: ${goal}`;
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
    } else if (results.engine === 'redis') {
      check(`drain ${key} >= 2x bullmq`, med('drain', key, self), 2 * med('drain', key, 'bullmq'));
    } else if (results.engine === 'nats') {
      // One process at least 4,000 jobs/s; two processes more than one.
      if (key.endsWith('x1 proc')) check(`drain ${key} >= 4,000 jobs/s`, med('drain', key, self), 4_000);
      else check(`drain ${key} > one process`, med('drain', key, self), med('drain', key.replace('x2', 'x1'), self));
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
  if (results.engine === 'redis') {
    check('latency p50 <= bullmq', results.latency?.[self]?.p50, results.latency?.bullmq?.p50, false);
    for (const key of ['batch 100', 'batch 1000']) {
      check(`enqueue ${key} >= 2x bullmq addBulk`, med('enqueue', key, self), 2 * med('enqueue', key, 'bullmq'));
    }
  }
  if (results.engine === 'nats') check('latency p50 < 3 ms', results.latency?.[self]?.p50, 3, false);
  const mem = results.memory?.[self];
  if (mem) {
    check('worker peak RSS < 150 MiB', mem.peakMiB, 150, false);
    out.push({
      goal: `${self === 'gantry' ? '' : `${self}: `}worker memory flat (last ¼ vs second ¼)`,
      actual: mem.growthMiB,
      target: null,
      met: mem.flat,
    });
  }
  return out;
}

function goalRows(list) {
  const rows = [['goal', 'Gantry', 'target', 'result']];
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
  if (Object.keys(results.perJob ?? {}).length > 0) parts.push(table(perJobRows(results)));
  const g = goals(results);
  if (g.length > 0) parts.push(table(goalRows(g)));
  if (results.errors.length > 0) parts.push(`Errors:\n${results.errors.map((e) => `  ${e}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}
