// The dashboard's Overview under load, in Chromium: with `--finished` jobs finished in the last
// hour, a burst of `--burst` completions arrives while the Overview is open. Reports the longest
// main-thread task (the Long Tasks API), the main-thread time spent in long tasks, how many times
// the page's DOM changed (MutationObserver callbacks: one per render that changed something),
// the API requests the page made, and how long the page took to show the whole burst.
//
//   flock /tmp/gantry-bench.lock node bench/dashboard-load.js [--dashboard-dir <built dir>]
//     [--finished 20000] [--burst 2000] [--label after]
//
// Without --dashboard-dir the current dashboard is built into a temporary folder. A build of an
// older commit (vite build --outDir …) can be given to compare before and after. Not a test: the
// figures depend on the machine; docs/dashboard.md records one run of each.
/* global window, document, PerformanceObserver, MutationObserver -- in-page callbacks run in Chromium */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const MINUTE = 60_000;

const { values: opts } = parseArgs({
  options: {
    'dashboard-dir': { type: 'string' },
    finished: { type: 'string', default: '20000' },
    burst: { type: 'string', default: '2000' },
    label: { type: 'string', default: '' },
    timeout: { type: 'string', default: '600' },
  },
});
const FINISHED = Number(opts.finished);
const BURST = Number(opts.burst);
const log = (...a) => console.error(...a);

const dist = (p) => import(join(ROOT, 'dist', p));
const { openBackend } = await dist('backend/open.js');
const { ManualClock } = await dist('core/clock.js');
const { validateEnqueue } = await dist('core/validate.js');
const { startServer } = await dist('server/index.js');
const { Worker } = await dist('worker/worker.js');
const { Client } = await dist('client/client.js');

/** Builds the current dashboard into `outDir` as `npm run build` does. */
async function buildDashboard(outDir) {
  const { build } = await import('vite');
  process.env.NODE_ENV = 'production';
  await build({
    configFile: join(ROOT, 'dashboard', 'vite.config.ts'),
    logLevel: 'error',
    mode: 'production',
    build: { outDir, emptyOutDir: true },
  });
}

/**
 * Stores `n` jobs finished over the last hour (one in twenty failed), through the engine's own
 * claim and completion on a clock moved along the hour, so their finish times are spread out.
 */
async function seed(url, n) {
  const end = Date.now();
  const clock = new ManualClock(end - 59 * MINUTE);
  const backend = await openBackend({ url, clock });
  const step = (59 * MINUTE) / Math.ceil(n / 500);
  for (let done = 0; done < n; done += 500) {
    const count = Math.min(500, n - done);
    const jobs = Array.from({ length: count }, (_, i) =>
      validateEnqueue({ type: 'seed.job', queue: 'seed', payload: { i: done + i }, maxAttempts: 1 }, clock.now()),
    );
    await backend.jobsEnqueue({ jobs });
    const claimed = await backend.jobsClaim({ workerId: 'seed', queues: ['seed'], limit: count, leaseMs: 60_000 });
    const fail = claimed.filter((_, i) => i % 20 === 0);
    const ok = claimed.filter((_, i) => i % 20 !== 0);
    await backend.jobsComplete({ items: ok.map((j) => ({ id: j.id, workerId: 'seed', attempt: 1, result: null })) });
    await backend.jobsFail({
      items: fail.map((j) => ({
        id: j.id,
        workerId: 'seed',
        attempt: 1,
        error: { message: 'seeded failure', attempt: 1, at: new Date(clock.now()) },
        retryAt: null,
      })),
    });
    await clock.set(Math.min(end, clock.now() + step));
  }
  await backend.close();
}

const dir = mkdtempSync(join(tmpdir(), 'gantry-dash-bench-'));
const url = `sqlite:${join(dir, 'gantry.db')}`;
let dashboardDir = opts['dashboard-dir'];
if (!dashboardDir) {
  dashboardDir = join(dir, 'dashboard');
  log('building the dashboard…');
  await buildDashboard(dashboardDir);
}
log(`seeding ${FINISHED} finished jobs over the last hour…`);
await seed(url, FINISHED);

const backend = await openBackend({ url });
const client = new Client(backend);
const server = await startServer({ backend, port: 0, logger: false, env: {}, dashboardDir });
const worker = new Worker({ backend, queues: ['burst'], concurrency: 20, handlers: { 'burst.job': async () => null } });
await worker.start();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  let requests = 0;
  let measuring = false;
  page.on('request', (r) => {
    if (measuring && r.url().includes('/api/v1/')) requests++;
  });
  const opened = Date.now();
  await page.goto(`${server.url}/#/`);
  const cell = '[data-testid=queue-counts] tr[data-queue="seed"] td[data-state="completed"]';
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.trim() !== '', cell, {
    timeout: 120_000,
  });
  await page.waitForFunction(() => document.querySelector('[data-testid=live-indicator]')?.textContent === 'live');
  log(`overview shown in ${Date.now() - opened} ms; starting the burst`);
  await page.evaluate(() => {
    window.__longest = 0;
    window.__longTotal = 0;
    window.__commits = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        window.__longest = Math.max(window.__longest, e.duration);
        window.__longTotal += e.duration;
      }
    }).observe({ type: 'longtask' });
    new MutationObserver(() => window.__commits++).observe(document.getElementById('root'), {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  });
  measuring = true;
  const start = Date.now();
  await client.enqueueMany(
    Array.from({ length: BURST }, (_, i) => ({ type: 'burst.job', queue: 'burst', payload: { i } })),
  );
  await page.waitForFunction(
    (n) =>
      document
        .querySelector('[data-testid=queue-counts] tr[data-queue="burst"] td[data-state="completed"]')
        ?.textContent?.trim() === String(n),
    BURST,
    { timeout: Number(opts.timeout) * 1000, polling: 100 },
  );
  const shownMs = Date.now() - start;
  measuring = false;
  const m = await page.evaluate(() => ({
    longest: window.__longest,
    longTotal: window.__longTotal,
    commits: window.__commits,
  }));
  const result = {
    label: opts.label,
    finished: FINISHED,
    burst: BURST,
    longestTaskMs: Math.round(m.longest),
    longTasksTotalMs: Math.round(m.longTotal),
    domCommits: m.commits,
    apiRequests: requests,
    burstShownAfterMs: shownMs,
  };
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await worker.stop();
  await server.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}
