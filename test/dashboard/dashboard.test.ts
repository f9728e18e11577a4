/**
 * The dashboard in a real Chromium against a real server, engine (SQLite) and worker: what the
 * user sees matches the API, and it changes live as jobs run, fail, retry and are cancelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { JobContext } from '../../src/worker/types.js';
import type { Job } from '../../src/core/job.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  chromiumAvailable,
  DOCS_SCREENSHOTS_DIR,
  Gate,
  screenshot,
  startStack,
  waitForState,
  waitText,
  type InPage,
  type Stack,
} from './harness.js';

const fixed = new Set<string>();
const aborted = new Set<string>();
const progressGate = new Gate();
const goneGate = new Gate();

const handlers = {
  'demo.ok': async () => ({ ok: true }),
  /** Fails every attempt until the test "deploys a fix" for the job. */
  'demo.flaky': async (job: Job) => {
    if (!fixed.has(job.id)) throw new Error(`boom on attempt ${job.attempts}`);
    return { recovered: true };
  },
  /** Reports progress one step each time the test opens the gate. */
  'demo.progress': async (_job: Job, ctx: JobContext) => {
    for (const p of [10, 45, 80]) {
      await progressGate.wait();
      await ctx.progress(p, `step ${p}`);
    }
    await progressGate.wait();
    return { done: true };
  },
  /** Waits for the test, then returns: enqueued with deleteOnComplete, it is gone after. */
  'demo.gone': async () => {
    await goneGate.wait();
    return { answer: 'from-the-event' };
  },
  /** Runs until cancelled. */
  'demo.block': (job: Job, ctx: JobContext) =>
    new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => {
        aborted.add(job.id);
        reject(new Error('aborted'));
      });
    }),
};

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)('dashboard in Chromium', () => {
  let stack: Stack;
  let page: Page;
  const api = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${stack.server.url}/api/v1${path}`)).json()) as T;

  beforeAll(async () => {
    stack = await startStack(handlers, ['default']);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  const open = async (hash: string): Promise<Page> => {
    page = await stack.browser.newPage();
    await page.goto(`${stack.server.url}/#${hash}`);
    return page;
  };

  it('overview shows the counts the API reports, and follows new jobs live', async () => {
    for (let i = 0; i < 3; i++) await stack.client.enqueue('demo.ok', { i }, { queue: 'idle' });
    for (let i = 0; i < 2; i++) await stack.client.enqueue('demo.ok', { i }, { queue: 'idle', delay: 3_600_000 });
    const done = await stack.client.enqueue('demo.ok', {}, { queue: 'default' });
    await waitForState(stack.client, done.id, 'completed');

    const p = await open('/');
    const cell = (q: string, s: string): string =>
      `[data-testid=queue-counts] tr[data-queue="${q}"] td[data-state="${s}"]`;
    await waitText(p, cell('idle', 'queued'), '3');
    const { queues } = await api<{ queues: { name: string; counts: Record<string, number> }[] }>('/queues');
    for (const q of queues) {
      for (const [state, n] of Object.entries(q.counts)) await waitText(p, cell(q.name, state), String(n));
    }
    expect(queues.find((q) => q.name === 'idle')?.counts.scheduled).toBe(2);
    await waitText(p, '[data-testid=workers-alive]', '1');
    await waitText(p, '[data-testid=completed-hour]', '1');

    await stack.client.enqueue('demo.ok', {}, { queue: 'idle' });
    await waitText(p, cell('idle', 'queued'), '4');
    await screenshot(p, 'overview');

    await p.setViewportSize({ width: 390, height: 844 });
    // Wait for the layout to settle at phone width.
    await p.waitForFunction(
      () =>
        (globalThis as unknown as InPage).document.documentElement.scrollWidth <=
        (globalThis as unknown as InPage).innerWidth,
      null,
      { timeout: 5000 },
    );
    await screenshot(p, 'overview-phone');
    await p.close();
  });

  it("a failed job's detail shows each attempt's error, and Retry runs it to completion live", async () => {
    const job = await stack.client.enqueue(
      'demo.flaky',
      { to: 'a@b.c' },
      { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 10 } },
    );
    await waitForState(stack.client, job.id, 'failed');

    const p = await open(`/jobs/${job.id}`);
    await waitText(p, '[data-testid=job-state]', 'failed');
    const errors = p.locator('[data-testid=attempt-errors] article');
    await expect.poll(() => errors.count()).toBe(2);
    expect(await p.locator('[data-attempt="1"] .error-message').textContent()).toBe('boom on attempt 1');
    expect(await p.locator('[data-attempt="2"] .error-message').textContent()).toBe('boom on attempt 2');
    await p.locator('[data-attempt="2"] summary').click();
    expect(await p.locator('[data-attempt="2"] .stack').textContent()).toContain('Error: boom on attempt 2');
    await screenshot(p, 'job-failed');

    await p.evaluate(() => ((globalThis as unknown as InPage).stillHere = true));
    fixed.add(job.id);
    await p.getByRole('button', { name: 'Retry', exact: true }).click();
    await waitText(p, '[data-testid=job-state]', 'completed');
    expect(await p.locator('[aria-label=Result]').textContent()).toContain('"recovered": true');
    expect(await p.evaluate(() => (globalThis as unknown as InPage).stillHere)).toBe(true);
    expect((await stack.client.get(job.id))?.state).toBe('completed');
    // The attempt timeline marks the operator's retry, and where attempt numbers start again.
    const timeline = p.locator('[data-testid=timeline]');
    await expect.poll(() => timeline.textContent()).toContain('retried by an operator from failed after 2 attempts');
    expect(await timeline.textContent()).toContain('completed (attempt 1 of run 2)');
    await screenshot(p, 'job-retried');
    await p.close();
  });

  it("a running job's progress bar moves live", async () => {
    const job = await stack.client.enqueue('demo.progress', { file: 'report.csv' });
    await waitForState(stack.client, job.id, 'running');
    const p = await open(`/jobs/${job.id}`);
    await waitText(p, '[data-testid=job-state]', 'running');
    for (const step of [10, 45, 80]) {
      progressGate.open();
      await p.waitForSelector(`[role=progressbar][aria-valuenow="${step}"]`, { timeout: 10_000 });
      await waitText(p, '[data-testid=progress-message]', `· step ${step}`);
    }
    await screenshot(p, 'job-progress');
    progressGate.open();
    await waitText(p, '[data-testid=job-state]', 'completed');
    await p.close();
  });

  it('a job deleted on completion stays on its page as it ended, with the result of its event', async () => {
    const job = await stack.client.enqueue('demo.gone', null, { deleteOnComplete: true });
    await waitForState(stack.client, job.id, 'running');
    const p = await open(`/jobs/${job.id}`);
    await waitText(p, '[data-testid=job-state]', 'running');
    goneGate.open();
    await p.waitForSelector('[data-testid=job-gone]', { timeout: 10_000 });
    await waitText(p, '[data-testid=job-state]', 'completed');
    await p.waitForFunction(
      () => (globalThis as unknown as InPage).document.body.textContent?.includes('from-the-event') ?? false,
      undefined,
      { timeout: 10_000 },
    );
    expect(await stack.client.get(job.id)).toBeNull();
    await p.close();
  });

  it('pauses and resumes a queue, and sets its concurrency cap', async () => {
    const first = await stack.client.enqueue('demo.ok', {});
    await waitForState(stack.client, first.id, 'completed');
    const p = await open('/queues');
    const row = p.locator('[data-testid=queues-table] tr[data-queue="default"]');
    await row.getByRole('button', { name: 'Pause' }).click();
    await waitText(p, '[data-testid=queues-table] tr[data-queue="default"] [data-testid=queue-status]', 'paused');
    const paused = await api<{ queues: { name: string; paused: boolean }[] }>('/queues');
    expect(paused.queues.find((q) => q.name === 'default')?.paused).toBe(true);
    const waiting = await stack.client.enqueue('demo.ok', {});
    await screenshot(p, 'queue-paused');

    await row.getByRole('button', { name: 'Resume' }).click();
    await waitText(p, '[data-testid=queues-table] tr[data-queue="default"] [data-testid=queue-status]', 'active');
    const resumed = await api<{ queues: { name: string; paused: boolean }[] }>('/queues');
    expect(resumed.queues.find((q) => q.name === 'default')?.paused).toBe(false);
    await waitForState(stack.client, waiting.id, 'completed');

    await p.getByLabel('Concurrency cap of default').fill('3');
    await row.getByRole('button', { name: 'Set' }).click();
    await expect
      .poll(
        async () =>
          (await api<{ queues: { name: string; concurrency: number | null }[] }>('/queues')).queues.find(
            (q) => q.name === 'default',
          )?.concurrency,
      )
      .toBe(3);
    await p.close();
  });

  it('sets a queue’s defaults; a job enqueued without its own takes them', async () => {
    await stack.client.setQueue('defaults-q', { paused: true });
    const p = await open('/queues');
    const row = p.locator('[data-testid=queues-table] tr[data-queue="defaults-q"]');
    await p.getByLabel('Timeout (s) of defaults-q').fill('3600');
    await p.getByLabel('Max attempts of defaults-q').fill('100');
    await p.getByLabel('Weight of defaults-q').fill('10');
    await row.getByRole('button', { name: 'Save' }).click();
    type Queues = {
      queues: { name: string; timeoutMs: number | null; maxAttempts: number | null; weight: number | null }[];
    };
    const stored = async () => (await api<Queues>('/queues')).queues.find((q) => q.name === 'defaults-q');
    await expect.poll(stored).toMatchObject({ timeoutMs: 3_600_000, maxAttempts: 100, weight: 10 });
    const job = await stack.client.enqueue('demo.ok', {}, { queue: 'defaults-q' });
    expect(job).toMatchObject({ timeoutMs: 3_600_000, maxAttempts: 100 });
    // A value out of range is refused in the page, before any request.
    await p.getByLabel('Max attempts of defaults-q').fill('5000');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByText(/whole number from 1/).waitFor();
    // Emptied fields clear the defaults.
    for (const label of ['Timeout (s)', 'Max attempts', 'Weight'])
      await p.getByLabel(`${label} of defaults-q`).fill('');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(stored).toMatchObject({ timeoutMs: null, maxAttempts: null, weight: null });
    await p.close();
  });

  it('cancels a running job, and its handler sees the abort', async () => {
    const job = await stack.client.enqueue('demo.block', {});
    await waitForState(stack.client, job.id, 'running');
    const p = await open(`/jobs/${job.id}`);
    await waitText(p, '[data-testid=job-state]', 'running');
    await p.getByRole('button', { name: 'Cancel', exact: true }).click();
    await p.getByRole('group', { name: 'Cancel this job?' }).getByRole('button', { name: 'Yes' }).click();
    await waitText(p, '[data-testid=job-state]', 'cancelled');
    expect((await stack.client.get(job.id))?.state).toBe('cancelled');
    await expect.poll(() => aborted.has(job.id), { timeout: 10_000 }).toBe(true);
    await screenshot(p, 'job-cancelled');
    await p.close();
  });

  it('lists schedules in plain words with next fire times; pauses, triggers and removes one', async () => {
    const put = await fetch(`${stack.server.url}/api/v1/schedules/weekday-report`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        spec: '30 9 * * 1-5',
        timezone: 'Europe/Paris',
        template: { type: 'demo.ok', queue: 'reports', payload: { kind: 'daily' } },
      }),
    });
    expect(put.status).toBe(200);
    const p = await open('/schedules');
    const row = p.locator('[data-testid=schedules-table] tr[data-schedule="weekday-report"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('At 09:30, Monday through Friday');
    expect(await row.textContent()).toContain('Europe/Paris');
    expect(await row.locator('ul.plain li').count()).toBe(3);
    await row.getByRole('button', { name: 'Pause' }).click();
    await row.getByRole('button', { name: 'Resume' }).waitFor();
    const listed = await api<{ schedules: { name: string; paused: boolean }[] }>('/schedules');
    expect(listed.schedules.find((x) => x.name === 'weekday-report')?.paused).toBe(true);
    await row.getByRole('button', { name: 'Trigger now' }).click();
    await expect
      .poll(async () => (await api<{ jobs: unknown[] }>('/jobs?queue=reports&type=demo.ok')).jobs.length)
      .toBe(1);
    await screenshot(p, 'schedules');
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByRole('button', { name: 'Yes' }).click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    expect((await fetch(`${stack.server.url}/api/v1/schedules/weekday-report`)).status).toBe(404);
    await p.close();
  });

  it('shows when the live stream is down and reconnects by itself', async () => {
    const first = await stack.startServer();
    const p = await stack.browser.newPage();
    await p.goto(`${first.url}/#/`);
    await waitText(p, '[data-testid=live-indicator]', 'live');
    await first.close();
    await waitText(p, '[data-testid=live-indicator]', 'disconnected');
    await screenshot(p, 'disconnected');
    const again = await stack.startServer({ port: first.port });
    await waitText(p, '[data-testid=live-indicator]', 'live');
    await stack.client.enqueue('demo.ok', {}, { queue: 'after-reconnect' });
    await waitText(p, '[data-testid=queue-counts] tr[data-queue="after-reconnect"] td[data-state="queued"]', '1');
    await again.close();
    await p.close();
  });

  it('a wrong token is told so; a read token sees no actions; an admin token does', async () => {
    const secured = await stack.startServer({ tokens: 'read:read-secret,admin:admin-secret' });
    const failed = await stack.client.enqueue('demo.flaky', {}, { maxAttempts: 1 });
    await waitForState(stack.client, failed.id, 'failed');
    const signIn = async (p: Page, token: string): Promise<void> => {
      await p.fill('#token-input', token);
      await p.getByRole('button', { name: 'Sign in' }).click();
    };

    const p = await stack.browser.newPage();
    await p.goto(`${secured.url}/#/jobs/${failed.id}`);
    await signIn(p, 'not-a-token');
    await p.waitForSelector('[data-testid=token-rejected]', { timeout: 10_000 });
    await screenshot(p, 'token-rejected');

    await signIn(p, 'read-secret');
    await waitText(p, '[data-testid=role]', 'read');
    await waitText(p, '[data-testid=job-state]', 'failed');
    for (const name of ['Retry', 'Cancel', 'Delete']) {
      expect(await p.getByRole('button', { name, exact: true }).count()).toBe(0);
    }
    await p.goto(`${secured.url}/#/queues`);
    await p.waitForSelector('[data-testid=queues-table]');
    expect(await p.getByRole('button', { name: /^(Pause|Resume|Set)$/ }).count()).toBe(0);
    await p.goto(`${secured.url}/#/jobs`);
    await p.waitForSelector('[data-testid=jobs-table]');
    expect(await p.getByRole('toolbar', { name: 'Bulk actions' }).count()).toBe(0);
    expect(await p.locator('[data-testid=jobs-table] input[type=checkbox]').count()).toBe(0);
    await screenshot(p, 'read-only');
    const refused = await fetch(`${secured.url}/api/v1/jobs/${failed.id}/retry`, {
      method: 'POST',
      headers: { authorization: 'Bearer read-secret' },
    });
    expect(refused.status).toBe(403);
    await p.close();

    const a = await stack.browser.newPage();
    const urls: string[] = [];
    a.on('request', (r) => void urls.push(r.url()));
    await a.goto(`${secured.url}/#/jobs/${failed.id}`);
    await signIn(a, 'admin-secret');
    await waitText(a, '[data-testid=role]', 'admin');
    await a.getByRole('button', { name: 'Retry', exact: true }).waitFor({ timeout: 10_000 });
    // The live stream opens with a one-use ticket: the token never goes into a URL.
    await waitText(a, '[data-testid=live-indicator]', 'live');
    expect(urls.some((u) => u.includes('/api/v1/events?ticket='))).toBe(true);
    expect(urls.filter((u) => u.includes('secret'))).toEqual([]);
    await a.close();
  });

  it.skipIf(!process.env.UPDATE_SCREENSHOTS)('saves screenshots of the main pages for the README', async () => {
    const failed = await stack.client.enqueue('demo.flaky', { to: 'ops@example.com' }, { maxAttempts: 3, backoff: 10 });
    await waitForState(stack.client, failed.id, 'failed');
    for (let i = 0; i < 12; i++)
      await stack.client.enqueue('demo.ok', { n: i }, { queue: i % 3 ? 'default' : 'mail', tags: ['demo'] });
    // Waiting jobs: a delayed one (its "runs in"), and a queue no worker serves (its latency and warning).
    await stack.client.enqueue('demo.ok', { report: 'monthly' }, { delay: 3_600_000, priority: 'high' });
    for (let i = 0; i < 3; i++) await stack.client.enqueue('demo.ok', { n: i }, { queue: 'exports' });
    for (const [name, spec] of [
      ['nightly-cleanup', '0 2 * * *'],
      ['digest', 'every monday at 8am'],
    ]) {
      await fetch(`${stack.server.url}/api/v1/schedules/${name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ spec, timezone: 'Europe/Paris', template: { type: 'demo.ok', queue: 'maintenance' } }),
      });
    }
    const shots: [string, string, { width: number; height: number }, 'light' | 'dark'][] = [
      ['overview', '/', { width: 1280, height: 800 }, 'light'],
      ['overview-dark', '/', { width: 1280, height: 800 }, 'dark'],
      ['jobs', '/jobs', { width: 1280, height: 800 }, 'light'],
      ['job-detail', `/jobs/${failed.id}`, { width: 1280, height: 800 }, 'light'],
      ['queues', '/queues', { width: 1280, height: 500 }, 'light'],
      ['workers', '/workers', { width: 1280, height: 400 }, 'light'],
      ['schedules', '/schedules', { width: 1280, height: 400 }, 'light'],
      ['overview-phone', '/', { width: 390, height: 844 }, 'light'],
      ['jobs-phone', '/jobs', { width: 390, height: 844 }, 'light'],
    ];
    mkdirSync(DOCS_SCREENSHOTS_DIR, { recursive: true });
    for (const [name, hash, viewport, colorScheme] of shots) {
      const p = await stack.browser.newPage();
      await p.setViewportSize(viewport);
      await p.emulateMedia({ colorScheme });
      await p.goto(`${stack.server.url}/#${hash}`);
      await p.waitForSelector('main h1');
      await p.waitForFunction(() => !(globalThis as unknown as InPage).document.body.textContent?.includes('Loading…'));
      // At phone width the jobs are cards below the filters: show those.
      if (name === 'jobs-phone') await p.locator('[data-testid=jobs-table]').scrollIntoViewIfNeeded();
      await p.screenshot({ path: join(DOCS_SCREENSHOTS_DIR, `${name}.png`) });
      await p.close();
    }
  });
});
