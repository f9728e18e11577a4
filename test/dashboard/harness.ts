/**
 * The dashboard's browser-test harness: a real server on a temporary SQLite file, a real
 * Worker running test handlers, the dashboard built by Vite into a temp folder, and Debian's
 * Chromium driven by playwright-core. Without /usr/bin/chromium the tests skip (CI unset) or
 * fail (CI=true).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import { build } from 'vite';
import type { Backend } from '../../src/backend/backend.js';
import { openBackend } from '../../src/backend/open.js';
import { Client } from '../../src/client/client.js';
import type { GantryEvent } from '../../src/core/events.js';
import type { JobState } from '../../src/core/job.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import type { Handlers } from '../../src/worker/types.js';
import { Worker } from '../../src/worker/worker.js';

/** Where Debian puts Chromium; never downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Screenshots of each test go here (gitignored). */
export const RESULTS_DIR = join(ROOT, 'test-results');

/** Screenshots for the README go here, when `UPDATE_SCREENSHOTS=1`. */
export const DOCS_SCREENSHOTS_DIR = join(ROOT, 'docs', 'screenshots');

/**
 * True when Chromium is there. Without it: under CI throws (the suite fails), otherwise says
 * how to get it and returns false (the caller skips).
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const msg = `${CHROMIUM} is missing; install Debian's browser with: apt-get install -y chromium`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(msg);
  console.warn(`SKIP dashboard browser tests: ${msg}`);
  return false;
}

/** Builds the dashboard into a temp folder (so parallel runs never share an output dir). */
export async function buildDashboard(outDir: string): Promise<void> {
  // Vitest sets NODE_ENV=test, which makes Vite and the React plugin emit a development
  // bundle (jsxDEV) that differs from what `npm run build` ships; build as production.
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(ROOT, 'dashboard', 'vite.config.ts'),
      logLevel: 'error',
      mode: 'production',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = before;
  }
}

/** Everything one test file runs against. */
export interface Stack {
  dir: string;
  backend: Backend;
  client: Client;
  worker: Worker;
  server: RunningServer;
  browser: BrowserContext;
  /** Starts another server on the same engine (e.g. with tokens). */
  startServer(options?: { tokens?: string; port?: number }): Promise<RunningServer>;
  close(): Promise<void>;
}

/** Starts the stack. `queues` are the worker's queues. */
export async function startStack(handlers: Handlers, queues: string[]): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-dashboard-'));
  const dashboardDir = join(dir, 'dashboard');
  await buildDashboard(dashboardDir);
  const backend = await openBackend({ url: `sqlite:${join(dir, 'gantry.db')}` });
  const client = new Client(backend);
  const worker = new Worker({ backend, handlers, queues, concurrency: 4, pollMs: 50, heartbeatMs: 1000 });
  await worker.start();
  const servers: RunningServer[] = [];
  const start = async (options: { tokens?: string; port?: number } = {}): Promise<RunningServer> => {
    const s = await startServer({ backend, port: 0, logger: false, env: {}, dashboardDir, ...options });
    servers.push(s);
    return s;
  };
  const server = await start();
  const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  mkdirSync(RESULTS_DIR, { recursive: true });
  return {
    dir,
    backend,
    client,
    worker,
    server,
    browser,
    startServer: start,
    async close() {
      await browser.close().catch(() => undefined);
      await worker.stop().catch(() => undefined);
      for (const s of servers) await s.close().catch(() => undefined);
      await backend.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot of `page` as `test-results/dashboard-<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(RESULTS_DIR, `dashboard-${name}.png`), fullPage: true });
}

/**
 * Resolves when job `id` is in `state`: subscribes first, then reads the job, so a change
 * between the two is not missed.
 */
export async function waitForState(client: Client, id: string, state: JobState, timeoutMs = 15_000): Promise<void> {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  const stop = await client.backend.eventsSubscribe({
    filter: { jobId: id },
    onEvent: (e: GantryEvent) => {
      if (e.state === state) resolve();
    },
  });
  try {
    if ((await client.get(id))?.state === state) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`job ${id} did not reach ${state} in ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([reached, timeout]).finally(() => clearTimeout(timer));
  } finally {
    await stop();
  }
}

/** A gate a handler awaits and the test opens, so handler steps follow the test without sleeps. */
export class Gate {
  private waiters: (() => void)[] = [];
  private opened = 0;
  /** Resolves at the next `open()` (or at once if one is pending). */
  wait(): Promise<void> {
    if (this.opened > 0) {
      this.opened--;
      return Promise.resolve();
    }
    return new Promise((r) => this.waiters.push(r));
  }
  /** Lets one waiter through. */
  open(): void {
    const w = this.waiters.shift();
    if (w) w();
    else this.opened++;
  }
}

/**
 * The browser globals the in-page callbacks use, typed here because the root tsconfig has no
 * DOM lib. Written inline in each callback: Playwright sends the callback's source to the page.
 */
export interface InPage {
  document: {
    querySelector(selector: string): { textContent: string | null } | null;
    getElementById(id: string): unknown;
    documentElement: { scrollWidth: number };
    body: { textContent: string | null };
  };
  innerWidth: number;
  location: { hash: string };
  history: { back(): void };
  MutationObserver: new (cb: () => void) => { observe(target: unknown, options: Record<string, boolean>): void };
  /** Set by a test; still there later proves the page did not reload. */
  stillHere?: boolean;
  /** DOM commits counted by a test's MutationObserver. */
  commits?: number;
}

/** Waits until the element at `selector` has exactly `text` (trimmed). */
export async function waitText(page: Page, selector: string, text: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([sel, t]) => (globalThis as unknown as InPage).document.querySelector(sel as string)?.textContent?.trim() === t,
    [selector, text],
    { timeout },
  );
}

/** Records the API requests a page makes; `count(pred)` says how many matched so far. */
export function recordRequests(page: Page): { urls: string[]; count(pred: (url: URL) => boolean): number } {
  const urls: string[] = [];
  page.on('request', (r: Request) => {
    if (r.url().includes('/api/v1/')) urls.push(r.url());
  });
  return { urls, count: (pred) => urls.filter((u) => pred(new URL(u))).length };
}
