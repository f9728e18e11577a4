// `npm run bench`: Gantry against its peers on one engine, in one run, on this machine.
// See docs/benchmarks.md for what is measured and how to read the output.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions, USAGE } from './lib/options.js';
import { ensureDatabase, query } from './lib/pg.js';
import { commandCounts, redisVersion } from './lib/redis.js';
import { render } from './lib/report.js';
import { destroyLive, drainRate, enqueueRate, latency } from './lib/scenarios.js';
import { median } from './lib/stats.js';
import { systemNames, systemOf } from './systems/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENQUEUE_MODES = [
  ['single', 'single'],
  ['batch 100', 100],
  ['batch 1000', 1000],
];
const DRAIN_CONFIGS = [
  [10, 1],
  [50, 1],
  [10, 2],
  [50, 2],
];
const MEMORY_CONCURRENCY = 50;
// The memory drain's least duration when --memory-jobs is not given: RSS needs some seconds to
// settle after V8 sizes its heap, so a phase of a few seconds reads that growth as a leak.
const MEMORY_MIN_SECONDS = 15;

const log = (...args) => console.error(...args);
const jobsPer = (v, unit) => `${Math.round(v).toLocaleString('en-US')} jobs/${unit}`;

/** One run's result for the log: a rate, a drain (rate and jobs per CPU-second), or as JSON. */
function fmtRun(v) {
  if (typeof v === 'number') return jobsPer(v, 's');
  if (v?.rate === undefined) return JSON.stringify(v);
  return `${jobsPer(v.rate, 's')}, ${Number.isFinite(v.perCpuS) ? jobsPer(v.perCpuS, 'CPU-s') : 'CPU not read'}`;
}

/**
 * Jobs of the memory drain: `--memory-jobs` as given; else the default, or as many as the
 * system drained in MEMORY_MIN_SECONDS at the same concurrency earlier in this run (whole 10,000s).
 */
function memoryJobsFor(opts, drainRate) {
  if (opts.memoryJobsGiven || !Number.isFinite(drainRate)) return opts.memoryJobs;
  return Math.max(opts.memoryJobs, Math.ceil((drainRate * MEMORY_MIN_SECONDS) / 10_000) * 10_000);
}

/** Runs `fn` once per repeat and system (interleaved, so drift hits every system alike). */
async function repeated(opts, systems, results, label, fn) {
  const runs = Object.fromEntries(systems.map((s) => [s.name, []]));
  for (let r = 0; r < opts.repeat; r++) {
    for (const s of systems) {
      try {
        const v = await fn(s);
        runs[s.name].push(v);
        log(`  ${label} · ${s.name} · run ${r + 1}/${opts.repeat}: ${fmtRun(v)}`);
      } catch (err) {
        results.errors.push(`${label} · ${s.name} · run ${r + 1}: ${err.message}`);
        log(`  ${label} · ${s.name} · run ${r + 1} FAILED: ${err.stack ?? err.message}`);
      }
    }
  }
  return runs;
}

/** Rebuilds dist/ when the sources are newer; a failed build falls back to the dist/ there is. */
function buildIfStale() {
  try {
    execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  } catch (err) {
    if (!existsSync(join(ROOT, 'dist/index.js')))
      throw new Error('npm run build failed and there is no dist/ to measure', { cause: err });
    log('warning: npm run build failed; measuring the dist/ built before');
  }
}

async function machine(opts) {
  const info = {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.versions.node,
    loadavg: os.loadavg()[0].toFixed(1),
  };
  if (opts.engine === 'postgres')
    info.server = `PostgreSQL ${(await query(opts.pgUrl, 'SHOW server_version'))[0].server_version}`;
  if (opts.engine === 'redis') info.server = `Redis ${await redisVersion(opts.redisUrl)}`;
  if (opts.engine === 'nats')
    info.server = `nats-server ${await (await import('./lib/nats.js')).serverVersion(opts.natsUrl)}`;
  return info;
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.help) return void process.stdout.write(USAGE);
  if (opts.build) buildIfStale();
  if (opts.engine === 'postgres') await ensureDatabase(opts.pgUrl);
  const names = systemNames(opts.engine).filter((n) => !opts.only || opts.only.includes(n));
  if (names.length === 0)
    throw new Error(`--only matched no system of ${opts.engine}: ${systemNames(opts.engine).join(', ')}`);
  const systems = await Promise.all(names.map((n) => systemOf(opts.engine, n)));
  const tmpDir = mkdtempSync(join(os.tmpdir(), 'gantry-bench-'));
  tmpDirs.push(tmpDir);
  // On Redis, the server's command counters give the commands and scripts each job cost.
  const counters = opts.engine === 'redis' ? () => commandCounts(opts.redisUrl) : null;
  const ctx = { pgUrl: opts.pgUrl, redisUrl: opts.redisUrl, natsUrl: opts.natsUrl, tmpDir, counters };
  const results = {
    engine: opts.engine,
    jobs: opts.jobs,
    repeat: opts.repeat,
    startedAt: new Date().toISOString(),
    machine: await machine(opts),
    systems: systems.map((s) => ({ name: s.name, settings: s.settings })),
    enqueue: {},
    drain: {},
    drainCpu: {},
    latency: {},
    memory: {},
    perJob: {},
    errors: [],
  };
  const rateOf = (v) => (typeof v === 'number' ? v : v.rate);
  // Commands and scripts per job: the median of each over the runs.
  const perJobOf = (runs) =>
    Object.fromEntries(
      Object.entries(runs).map(([n, list]) => [
        n,
        {
          commands: median(list.map((r) => r.perJob?.commands).filter(Number.isFinite)),
          scripts: median(list.map((r) => r.perJob?.scripts).filter(Number.isFinite)),
        },
      ]),
    );
  const summarise = (runs) =>
    Object.fromEntries(Object.entries(runs).map(([n, v]) => [n, { median: median(v), runs: v }]));
  try {
    if (!opts.skip.includes('enqueue')) {
      for (const [label, mode] of ENQUEUE_MODES) {
        const runs = await repeated(opts, systems, results, `enqueue ${label}`, (s) =>
          enqueueRate(s, ctx, { jobs: opts.jobs, mode }),
        );
        results.enqueue[label] = summarise(
          Object.fromEntries(Object.entries(runs).map(([n, l]) => [n, l.map(rateOf)])),
        );
        if (counters) results.perJob[`enqueue ${label}`] = perJobOf(runs);
      }
    }
    if (!opts.skip.includes('drain')) {
      for (const [concurrency, processes] of DRAIN_CONFIGS) {
        const label = `c${concurrency} x${processes} proc`;
        const runs = await repeated(opts, systems, results, `drain ${label}`, (s) =>
          drainRate(s, ctx, { jobs: opts.jobs, concurrency, processes }),
        );
        const field = (key) =>
          Object.fromEntries(Object.entries(runs).map(([n, list]) => [n, list.map((r) => r[key])]));
        results.drain[label] = summarise(field('rate'));
        results.drainCpu[label] = summarise(field('perCpuS'));
        if (counters) results.perJob[`drain ${label}`] = perJobOf(runs);
      }
    }
    if (!opts.skip.includes('latency')) {
      const runs = await repeated(opts, systems, results, 'latency', (s) =>
        latency(s, ctx, { samples: opts.latencySamples, budgetS: opts.latencyBudgetS }),
      );
      for (const [name, list] of Object.entries(runs)) {
        results.latency[name] = {
          p50: median(list.map((x) => x.p50)),
          p99: median(list.map((x) => x.p99)),
          samples: median(list.map((x) => x.samples)),
          runs: list,
        };
      }
    }
    if (!opts.skip.includes('memory')) {
      for (const s of opts.memoryAll ? systems : systems.slice(0, 1)) {
        if (s.name !== 'gantry' && !opts.memoryAll) continue;
        const jobs = memoryJobsFor(opts, results.drain[`c${MEMORY_CONCURRENCY} x1 proc`]?.[s.name]?.median);
        const label = `memory ${jobs.toLocaleString('en-US')} jobs`;
        try {
          const { rate, memory } = await drainRate(s, ctx, {
            jobs,
            concurrency: MEMORY_CONCURRENCY,
            processes: 1,
            sampleRss: true,
          });
          results.memory[s.name] = { jobs, concurrency: MEMORY_CONCURRENCY, rate, ...memory };
          log(`  ${label} · ${s.name}: peak ${memory.peakMiB.toFixed(1)} MiB, ${Math.round(rate)} jobs/s`);
        } catch (err) {
          results.errors.push(`${label} · ${s.name}: ${err.message}`);
          log(`  ${label} · ${s.name} FAILED: ${err.stack ?? err.message}`);
        }
      }
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  results.finishedAt = new Date().toISOString();
  results.machine.loadavgAtEnd = os.loadavg()[0].toFixed(1);
  if (opts.json === '-') process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else {
    process.stdout.write(render(results));
    if (opts.json) writeFileSync(opts.json, `${JSON.stringify(results, null, 2)}\n`);
  }
  process.exitCode = results.errors.length > 0 ? 1 : 0;
}

// Ctrl-C: drop the schemas/files of the runs in progress; the worker processes exit on their
// own when the IPC channel closes.
const tmpDirs = [];
process.once('SIGINT', () => {
  log('interrupted: dropping the schemas/files in use');
  void destroyLive().finally(() => {
    for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
});

main().catch((err) => {
  console.error(err?.message ?? err);
  process.exitCode = 2;
});
