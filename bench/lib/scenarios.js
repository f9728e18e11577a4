// The measurements. Each run gets a fresh schema (PostgreSQL) or file (SQLite), warm-up jobs
// are run and left out, and every rate is jobs divided by wall-clock seconds.
import { Fleet } from './fleet.js';
import { machineBusyMs, mean, nowMs, percentile, sleep } from './stats.js';

/** Jobs run before a drain is timed, so JIT, pools and prepared statements are warm. */
const DRAIN_WARMUP = 500;
/** Enqueues made before an enqueue rate is timed. */
const ENQUEUE_WARMUP = 200;
/** Latency samples taken and thrown away first. */
const LATENCY_WARMUP = 20;
/** Single enqueues are slow on a networked engine; time at most this many. */
const SINGLE_MAX = 2000;
/** A drain that makes no progress for this long is abandoned, ms. */
const STALL_MS = 60_000;

const payloads = (n, from = 0) => Array.from({ length: n }, (_, i) => ({ i: from + i }));

/** Schemas/files in use now, so an interrupted run can still drop them. */
const live = new Set();

/** Drops every schema/file of the runs in progress (on Ctrl-C). */
export async function destroyLive() {
  await Promise.all([...live].map(({ system, spec }) => system.destroy(spec).catch(() => {})));
}

/** Runs `fn(spec)` on a fresh schema/file of `system`, destroying it afterwards. */
async function withFresh(system, ctx, fn) {
  const spec = await system.create(ctx);
  const entry = { system, spec };
  live.add(entry);
  try {
    return await fn(spec);
  } finally {
    live.delete(entry);
    await system.destroy(spec).catch((err) => console.error(`cleanup of ${system.name} failed: ${err.message}`));
  }
}

async function withProducer(system, spec, fn) {
  const producer = await system.producer(spec);
  try {
    return await fn(producer);
  } finally {
    await producer.close();
  }
}

/** Enqueues `n` jobs in batches of `size` (sequential calls). */
export async function fill(producer, n, size = 1000, from = 0) {
  for (let done = 0; done < n; done += size) await producer.many(payloads(Math.min(size, n - done), from + done));
}

/**
 * Enqueue rate in jobs/s: `mode` is `single` (one call per job, sequential) or a batch size
 * (one call per batch, sequential).
 */
export async function enqueueRate(system, ctx, { jobs, mode }) {
  return withFresh(system, ctx, (spec) =>
    withProducer(system, spec, async (producer) => {
      if (mode === 'single') {
        for (let i = 0; i < ENQUEUE_WARMUP; i++) await producer.one({ i });
        const n = Math.min(jobs, SINGLE_MAX);
        const t0 = nowMs();
        for (let i = 0; i < n; i++) await producer.one({ i });
        return n / ((nowMs() - t0) / 1000);
      }
      await fill(producer, ENQUEUE_WARMUP * 5, mode);
      const before = await ctx.counters?.();
      const t0 = nowMs();
      await fill(producer, jobs, mode, ENQUEUE_WARMUP * 5);
      const rate = jobs / ((nowMs() - t0) / 1000);
      if (!before) return rate;
      return { rate, perJob: perJobOf(before, await ctx.counters(), jobs) };
    }),
  );
}

/** Waits until the children have run `n` jobs and the engine shows none left; returns that moment. */
async function settled(fleet, producer, n, label) {
  let seen = -1;
  let since = nowMs();
  while (fleet.count < n) {
    if (fleet.count !== seen) {
      seen = fleet.count;
      since = nowMs();
    } else if (nowMs() - since > STALL_MS) {
      throw new Error(`${label}: stalled at ${seen}/${n} jobs for ${STALL_MS / 1000} s`);
    }
    await sleep(2);
  }
  while ((await producer.pending()) > 0) {
    if (nowMs() - since > STALL_MS)
      throw new Error(`${label}: jobs still pending ${STALL_MS / 1000} s after the last ran`);
    await sleep(1);
  }
  return nowMs();
}

/**
 * Drain rate in jobs/s: `jobs` no-op jobs already queued, `processes` worker processes of
 * `concurrency` each; timed from the first handler start to the moment none is left. Returns
 * `{ rate, perCpuS }`: also the jobs per second of the machine's busy CPU over the drain (see
 * `machineBusyMs`); with `sampleRss`, `{ rate, memory }`.
 */
export async function drainRate(system, ctx, { jobs, concurrency, processes, sampleRss = false }) {
  return withFresh(system, ctx, (spec) =>
    withProducer(system, spec, async (producer) => {
      const fleet = await Fleet.launch({ engine: system.engine, system: system.name, spec, processes, concurrency });
      try {
        const label = `${system.name} drain c${concurrency} p${processes}`;
        if (!sampleRss) {
          await fill(producer, DRAIN_WARMUP, 500, -DRAIN_WARMUP);
          await fleet.start();
          await settled(fleet, producer, DRAIN_WARMUP, `${label} warm-up`);
          await fleet.stop();
        }
        await fill(producer, jobs);
        const counted = sampleRss ? undefined : await ctx.counters?.();
        const busy = machineBusyMs();
        await fleet.start({ sampleRss });
        const end = await settled(fleet, producer, jobs, label);
        const busyEnd = machineBusyMs();
        const perJob = counted ? perJobOf(counted, await ctx.counters(), jobs) : undefined;
        const reports = await fleet.stop();
        const start = Math.min(...reports.map((r) => r.first ?? Infinity));
        const rate = jobs / ((end - start) / 1000);
        if (sampleRss) return { rate, memory: memoryOf(reports[0], start, end) };
        // Jobs per second of busy CPU, every process of the machine counted (workers, engine server).
        const perCpuS = busy === null ? NaN : jobs / ((busyEnd - busy) / 1000);
        return { rate, perCpuS, ...(perJob ? { perJob } : {}) };
      } finally {
        await fleet.close();
      }
    }),
  );
}

/** Commands and scripts the server ran per job between two readings of its counters. */
function perJobOf(before, after, jobs) {
  return { commands: (after.commands - before.commands) / jobs, scripts: (after.scripts - before.scripts) / jobs };
}

/**
 * Peak RSS and the RSS of each quarter of the drain, in MiB, from one child's samples. The
 * first quarter is V8 sizing its heap for a busy process (it grows, then levels off); flat
 * means no growth after it: the last quarter within 10 % (and at least 5 MiB) of the second.
 * A leak grows through every quarter, so it still shows.
 */
function memoryOf(report, start, end) {
  const mib = (b) => b / 1024 / 1024;
  const quarter = (end - start) / 4;
  const during = report.rss.filter(([t]) => t >= start && t <= end);
  const peak = Math.max(report.maxRss, ...report.rss.map(([, r]) => r));
  const heap = during.map(([, , h]) => h);
  const inQuarter = (q) => during.filter(([t]) => t >= start + q * quarter && t <= start + (q + 1) * quarter);
  const quarters = [0, 1, 2, 3].map((q) => mib(mean(inQuarter(q).map(([, r]) => r))));
  const [, second, , last] = quarters;
  return {
    quartersMiB: quarters,
    peakMiB: mib(peak),
    // The JS heap (before any GC) tells a leak in JS objects from native/V8 heap growth.
    heapPeakMiB: mib(Math.max(...heap)),
    heapLastQuarterMiB: mib(mean(inQuarter(3).map(([, , h]) => h))),
    secondQuarterMiB: second,
    lastQuarterMiB: last,
    growthMiB: last - second,
    flat: last - second <= Math.max(5, second * 0.1),
    samples: during.length,
  };
}

/**
 * Enqueue-to-start latency with an idle worker (1 process, concurrency 10): one job at a
 * time, the next enqueued only after the previous started and a short random pause.
 */
export async function latency(system, ctx, { samples, budgetS }) {
  return withFresh(system, ctx, (spec) =>
    withProducer(system, spec, async (producer) => {
      const fleet = await Fleet.launch({
        engine: system.engine,
        system: system.name,
        spec,
        processes: 1,
        concurrency: 10,
        mode: 'latency',
      });
      const waiting = new Map();
      fleet.onMessage((msg) => {
        if (msg.ev === 'job') waiting.get(msg.i)?.(msg.at - msg.t);
      });
      try {
        await fleet.start();
        const values = [];
        const deadline = nowMs() + budgetS * 1000;
        for (let i = 0; i < LATENCY_WARMUP + samples && nowMs() < deadline; i++) {
          let timer;
          const started = new Promise((resolve) => {
            waiting.set(i, resolve);
            timer = setTimeout(() => resolve(NaN), STALL_MS);
          });
          await producer.one({ i, t: nowMs() });
          const ms = await started;
          clearTimeout(timer);
          waiting.delete(i);
          if (Number.isNaN(ms))
            throw new Error(`${system.name} latency: job ${i} did not start in ${STALL_MS / 1000} s`);
          if (i >= LATENCY_WARMUP) values.push(ms);
          await sleep(1 + Math.random() * 4);
        }
        await fleet.stop();
        return { p50: percentile(values, 50), p99: percentile(values, 99), samples: values.length };
      } finally {
        await fleet.close();
      }
    }),
  );
}
