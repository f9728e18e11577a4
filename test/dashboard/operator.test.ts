/**
 * What operators of other dashboards have, in Chromium against a real server, engine and
 * worker: jobs by state as tabs with counts; columns for the last error, progress, priority,
 * when a waiting job runs and how long one ran; sorting; short ids; run a delayed job now;
 * enqueue or duplicate a job from a JSON editor; add and edit schedules; each queue's latency,
 * failed count and a warning when no worker serves it; usable at phone width.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Job } from '../../src/core/job.js';
import type { JobContext } from '../../src/worker/types.js';
import {
  chromiumAvailable,
  Gate,
  screenshot,
  startStack,
  waitForState,
  waitText,
  type InPage,
  type Stack,
} from './harness.js';

const progressGate = new Gate();

const handlers = {
  'demo.ok': async () => ({ ok: true }),
  'demo.fail': async () => {
    throw new Error('the mail server said no');
  },
  'demo.progress': async (_job: Job, ctx: JobContext) => {
    await ctx.progress(30, 'a third');
    await progressGate.wait();
    return { done: true };
  },
};

const hasChromium = chromiumAvailable();

/** The texts of one column's cells, in row order. */
async function column(p: Page, label: string): Promise<string[]> {
  return (await p.locator(`[data-testid=jobs-table] tbody td[data-label="${label}"]`).allTextContents()).map((t) =>
    t.trim(),
  );
}

describe.skipIf(!hasChromium)('dashboard operator features in Chromium', () => {
  let stack: Stack;
  const open = async (hash: string): Promise<Page> => {
    const p = await stack.browser.newPage();
    await p.goto(`${stack.server.url}/#${hash}`);
    return p;
  };

  beforeAll(async () => {
    stack = await startStack(handlers, ['default', 'cols']);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('lists jobs by state as tabs with counts', async () => {
    for (let i = 0; i < 2; i++) await stack.client.enqueue('demo.ok', { i }, { queue: 'tabs' });
    const later = await stack.client.enqueue('demo.ok', {}, { queue: 'tabs', delay: 3_600_000 });
    const gone = await stack.client.enqueue('demo.ok', {}, { queue: 'tabs', delay: 3_600_000 });
    await stack.client.cancel(gone.id);
    const p = await open('/jobs?queue=tabs');
    const tab = (s: string) => `[data-testid=state-tabs] a[data-state="${s}"] .count`;
    await waitText(p, tab('all'), '4');
    await waitText(p, tab('queued'), '2');
    await waitText(p, tab('scheduled'), '1');
    await waitText(p, tab('cancelled'), '1');
    await waitText(p, tab('failed'), '0');
    await p.locator('[data-testid=state-tabs] a[data-state="scheduled"]').click();
    await p.waitForSelector('[data-testid=state-tabs] a[data-state="scheduled"][aria-current=page]');
    await p.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
        ).document.querySelectorAll('[data-testid=jobs-table] tbody tr').length === 1,
    );
    expect(await p.locator('[data-testid=jobs-table] tbody tr').getAttribute('data-job-id')).toBe(later.id);
    await p.close();
  });

  it('shows the last error, progress, priority, when a job runs and how long it ran, and sorts by them', async () => {
    const failed = await stack.client.enqueue('demo.fail', {}, { queue: 'cols', maxAttempts: 1, priority: 'low' });
    await waitForState(stack.client, failed.id, 'failed');
    const done = await stack.client.enqueue('demo.ok', {}, { queue: 'cols', priority: 'high' });
    await waitForState(stack.client, done.id, 'completed');
    const later = await stack.client.enqueue('demo.ok', {}, { queue: 'cols', delay: 3_600_000, priority: 5 });
    const running = await stack.client.enqueue('demo.progress', {}, { queue: 'cols' });
    await waitForState(stack.client, running.id, 'running');
    const p = await open('/jobs?queue=cols');
    const row = (id: string) => p.locator(`[data-testid=jobs-table] tr[data-job-id="${id}"]`);
    await row(failed.id).waitFor();
    expect(await row(failed.id).locator('td[data-label="last error"]').textContent()).toBe('the mail server said no');
    expect(await row(later.id).locator('td[data-label="runs in"]').textContent()).toMatch(/^in (59|60) min$/);
    expect(await row(done.id).locator('td[data-label="duration"]').textContent()).toMatch(/^\d+ ms|\d+(\.\d)? s$/);
    await p.waitForFunction(
      (id) =>
        (globalThis as unknown as InPage).document
          .querySelector(`tr[data-job-id="${id}"] td[data-label="progress"]`)
          ?.textContent?.trim() === '30%',
      running.id,
    );
    expect(await row(later.id).locator('td[data-label="priority"]').textContent()).toBe('5');

    const header = p.getByRole('button', { name: 'Priority' });
    await header.click();
    expect(await column(p, 'priority')).toEqual(['-10', '0', '5', '10']);
    expect(await p.locator('th[aria-sort=ascending]').textContent()).toContain('Priority');
    await header.click();
    expect(await column(p, 'priority')).toEqual(['10', '5', '0', '-10']);
    await header.click();
    expect(await p.locator('th[aria-sort=ascending], th[aria-sort=descending]').count()).toBe(0);
    await screenshot(p, 'jobs-columns');
    progressGate.open();
    await waitForState(stack.client, running.id, 'completed');
    await p.close();
  });

  it('prints short ids and takes them in the address and the id filter', async () => {
    const job = await stack.client.enqueue('demo.ok', { short: true }, { queue: 'shorts', delay: 3_600_000 });
    const short = `…${job.id.slice(-8)}`;
    const p = await open('/jobs?queue=shorts');
    await waitText(p, `[data-testid=jobs-table] tr[data-job-id="${job.id}"] td.card-title`, short);
    await p.evaluate(
      (s) => ((globalThis as unknown as InPage).location.hash = `#/jobs/${encodeURIComponent(s)}`),
      short,
    );
    await waitText(p, 'h1', `Job ${job.id}`);
    await p.waitForFunction((id) => (globalThis as unknown as InPage).location.hash === `#/jobs/${id}`, job.id);
    await p.evaluate(
      (s) => ((globalThis as unknown as InPage).location.hash = `#/jobs?id=${encodeURIComponent(s)}`),
      job.id.slice(-12),
    );
    await p.waitForSelector(`[data-testid=jobs-table] tr[data-job-id="${job.id}"]`);
    expect(await p.locator('[data-testid=jobs-table] tbody tr').count()).toBe(1);
    await p.close();
  });

  it('runs a delayed job now', async () => {
    const job = await stack.client.enqueue('demo.ok', {}, { delay: 3_600_000 });
    const p = await open(`/jobs/${job.id}`);
    await waitText(p, '[data-testid=job-state]', 'scheduled');
    await p.getByRole('button', { name: 'Run now' }).click();
    await waitText(p, '[data-testid=job-state]', 'completed');
    expect((await stack.client.get(job.id))?.state).toBe('completed');
    await p.close();
  });

  it('enqueues a job from the JSON editor, and duplicates one', async () => {
    const p = await open('/enqueue');
    const editor = p.getByLabel('Job (JSON)');
    await editor.fill('{"type": "demo.ok", "payload": {');
    await p.locator('[data-testid=json-error]').waitFor();
    expect(await p.getByRole('button', { name: 'Enqueue' }).isDisabled()).toBe(true);
    await editor.fill('{"payload": {}}');
    await waitText(p, '[data-testid=json-error]', 'Give the job a "type": the name of its handler.');
    await editor.fill('{"type": "demo.ok", "queue": "default", "payload": {"order": 42}, "tags": ["from-ui"]}');
    await p.getByRole('button', { name: 'Enqueue' }).click();
    await waitText(p, '[data-testid=job-state]', 'completed');
    const hash = await p.evaluate(() => (globalThis as unknown as InPage).location.hash);
    const id = decodeURIComponent(hash.replace('#/jobs/', ''));
    expect(await stack.client.get(id)).toMatchObject({ type: 'demo.ok', payload: { order: 42 }, tags: ['from-ui'] });

    await p.getByRole('link', { name: 'Duplicate' }).click();
    await p.waitForFunction(() =>
      (
        (
          globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }
        ).document.querySelector('#job-json')?.value ?? ''
      ).includes('"order": 42'),
    );
    await screenshot(p, 'enqueue');
    await p.getByRole('button', { name: 'Enqueue' }).click();
    await p.waitForFunction((first) => {
      const h = (globalThis as unknown as InPage).location.hash;
      return h.startsWith('#/jobs/') && !h.includes(first);
    }, id);
    const copyId = decodeURIComponent(
      (await p.evaluate(() => (globalThis as unknown as InPage).location.hash)).replace('#/jobs/', ''),
    );
    expect(await stack.client.get(copyId)).toMatchObject({
      type: 'demo.ok',
      payload: { order: 42 },
      tags: ['from-ui'],
    });
    await p.close();
  });

  it('adds a schedule with a preview of its fire times, and edits it', async () => {
    const p = await open('/schedules');
    await p.getByRole('button', { name: 'Add schedule' }).click();
    const form = p.getByRole('form', { name: 'Add a schedule' });
    await form.getByLabel('Name').fill('reports');
    await form.getByLabel('When (cron or phrase)').fill('every 15 minutes');
    await form.getByLabel('Job type').fill('demo.ok');
    await form.getByLabel('Queue').fill('reports');
    await form.getByLabel('Payload (JSON)').fill('{"kind": "weekly"}');
    await p.waitForFunction(
      () =>
        (globalThis as unknown as InPage).document
          .querySelector('[data-testid=schedule-preview]')
          ?.textContent?.includes('Next:') ?? false,
    );
    await form.getByRole('button', { name: 'Save schedule' }).click();
    const row = p.locator('[data-testid=schedules-table] tr[data-schedule="reports"]');
    await row.waitFor();
    expect((await stack.client.schedules.get('reports'))?.template).toMatchObject({
      type: 'demo.ok',
      queue: 'reports',
      payload: { kind: 'weekly' },
    });

    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = p.getByRole('form', { name: 'Edit schedule reports' });
    expect(await edit.getByLabel('Name').isDisabled()).toBe(true);
    await edit.getByLabel('When (cron or phrase)').fill('0 9 * * 1');
    await edit.getByLabel('Time zone').fill('Europe/Paris');
    await edit.getByRole('button', { name: 'Save schedule' }).click();
    await edit.waitFor({ state: 'detached' });
    await p.waitForFunction(
      () =>
        (globalThis as unknown as InPage).document
          .querySelector('tr[data-schedule="reports"]')
          ?.textContent?.includes('At 09:00, only on Monday') ?? false,
    );
    expect(await stack.client.schedules.get('reports')).toMatchObject({ spec: '0 9 * * 1', timezone: 'Europe/Paris' });
    await p.close();
  });

  it("shows each queue's oldest waiting job, failed count, and warns when no live worker serves it", async () => {
    await stack.client.enqueue('demo.ok', {}, { queue: 'orphan' });
    const failed = await stack.client.enqueue('demo.fail', {}, { maxAttempts: 1 });
    await waitForState(stack.client, failed.id, 'failed');
    const { queues } = (await (await fetch(`${stack.server.url}/api/v1/queues`)).json()) as {
      queues: { name: string; counts: { failed: number } }[];
    };
    const p = await open('/');
    const orphan = p.locator('[data-testid=queue-counts] tr[data-queue="orphan"]');
    await orphan.locator('[data-testid=no-worker]').waitFor();
    expect(await orphan.locator('[data-testid=queue-latency]').textContent()).toMatch(/^\d+(\.\d)? (ms|s|min)$/);
    expect(await p.locator('[data-testid=queue-counts] tr[data-queue="default"] [data-testid=no-worker]').count()).toBe(
      0,
    );
    await p.goto(`${stack.server.url}/#/queues`);
    const row = p.locator('[data-testid=queues-table] tr[data-queue="default"]');
    await waitText(
      p,
      '[data-testid=queues-table] tr[data-queue="default"] [data-testid=queue-failed]',
      String(queues.find((q) => q.name === 'default')!.counts.failed),
    );
    expect(await row.locator('[data-testid=queue-workers]').textContent()).toBe('1');
    await p.locator('[data-testid=queues-table] tr[data-queue="orphan"] [data-testid=no-worker]').waitFor();
    await p.close();
  });

  it('is usable at phone width: tables become cards and actions stay on screen', async () => {
    const p = await stack.browser.newPage();
    await p.setViewportSize({ width: 390, height: 844 });
    for (const [hash, table, button] of [
      ['/queues', 'queues-table', 'Pause'],
      ['/jobs', 'jobs-table', null],
      ['/', 'queue-counts', null],
    ] as const) {
      await p.goto(`${stack.server.url}/#${hash}`);
      await p.waitForSelector(`[data-testid=${table}] tbody tr`);
      const fits = await p.evaluate(
        () =>
          (globalThis as unknown as InPage).document.documentElement.scrollWidth <=
          (globalThis as unknown as InPage).innerWidth,
      );
      expect(fits, hash).toBe(true);
      const rows = p.locator(`[data-testid=${table}] tbody tr`);
      const box = await rows.first().boundingBox();
      expect(box!.x + box!.width, hash).toBeLessThanOrEqual(390);
      if (button) {
        const b = await rows.first().getByRole('button', { name: button }).boundingBox();
        expect(b!.x + b!.width, `${hash} ${button}`).toBeLessThanOrEqual(390);
      }
      await screenshot(p, `phone${hash.replace('/', '-') || '-overview'}`);
    }
    await p.close();
  });
});
