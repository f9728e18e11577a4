/**
 * The dashboard's defects under real use, in Chromium against a real server, engine and
 * worker: the overview under a burst of completions, pages loading their data once, the
 * built files compressed and cached, a job page keeping nothing of another job, actions that
 * ask before they destroy and say what they left alone, a trigger that says what it did, and
 * actions that say plainly when the server cannot be reached.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Job } from '../../src/core/job.js';
import type { JobContext } from '../../src/worker/types.js';
import {
  chromiumAvailable,
  Gate,
  recordRequests,
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
    throw new Error('always fails');
  },
  /** Reports 45% when the test opens the gate, then waits for it again to finish. */
  'demo.progress': async (_job: Job, ctx: JobContext) => {
    await progressGate.wait();
    await ctx.progress(45, 'half way');
    await progressGate.wait();
    return { done: true };
  },
};

/** Jobs of the burst: enough that one render per event would be unmistakable. */
const BURST = 300;

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)('dashboard defects in Chromium', () => {
  let stack: Stack;
  const open = async (hash: string, url = stack.server.url): Promise<Page> => {
    const p = await stack.browser.newPage();
    await p.goto(`${url}/#${hash}`);
    return p;
  };

  beforeAll(async () => {
    stack = await startStack(handlers, ['default', 'burst']);
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('the overview renders a few times for a burst of completions, with counts from the server', async () => {
    const p = await stack.browser.newPage();
    const requests = recordRequests(p);
    await p.goto(`${stack.server.url}/#/`);
    await waitText(p, '[data-testid=live-indicator]', 'live');
    await waitText(p, '[data-testid=completed-hour]', '0');
    await p.evaluate(() => {
      const w = globalThis as unknown as InPage;
      w.commits = 0;
      new w.MutationObserver(() => (w.commits = (w.commits ?? 0) + 1)).observe(w.document.getElementById('root'), {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });
    const jobs = await stack.client.enqueueMany(
      Array.from({ length: BURST }, (_, i) => ({ type: 'demo.ok', queue: 'burst', payload: { i } })),
    );
    await waitForState(stack.client, jobs.at(-1)!.id, 'completed');
    await waitText(p, '[data-testid=queue-counts] tr[data-queue="burst"] td[data-state="completed"]', String(BURST));
    const commits = await p.evaluate(() => (globalThis as unknown as InPage).commits ?? 0);
    // Each job sends three events (enqueued, started, completed); one render per event was the defect.
    expect(commits).toBeLessThan(BURST / 5);
    await waitText(p, '[data-testid=completed-hour]', String(BURST));
    // Counted by the server, not by reading pages of finished jobs.
    expect(requests.count((u) => u.pathname === '/api/v1/jobs' && u.searchParams.get('state') === 'completed')).toBe(0);
    await screenshot(p, 'overview-after-burst');
    await p.close();
  });

  it('each page loads its data once when opened, then once per change', async () => {
    for (const [hash, path] of [
      ['/queues', '/api/v1/queues'],
      ['/jobs', '/api/v1/jobs'],
    ] as const) {
      const p = await stack.browser.newPage();
      const requests = recordRequests(p);
      await p.goto(`${stack.server.url}/#${hash}`);
      await waitText(p, '[data-testid=live-indicator]', 'live');
      await p.waitForSelector(hash === '/queues' ? '[data-testid=queues-table]' : '[data-testid=jobs-table]');
      // One change: the page reloads for it, once.
      const queue = `once-${hash.slice(1)}`;
      await stack.client.enqueue('demo.ok', {}, { queue, delay: 3_600_000 });
      await p.waitForSelector(
        hash === '/queues' ? `[data-testid=queues-table] tr[data-queue="${queue}"]` : `td:has-text("${queue}")`,
      );
      expect(
        requests.count((u) => u.pathname === path),
        hash,
      ).toBe(2);
      await p.close();
    }
  });

  it('serves the script compressed and cached for good, index.html revalidated', async () => {
    const p = await stack.browser.newPage();
    const seen = new Map<string, Record<string, string>>();
    p.on('response', (r) => seen.set(new URL(r.url()).pathname, r.headers()));
    await p.goto(`${stack.server.url}/`);
    await waitText(p, '[data-testid=live-indicator]', 'live');
    const script = [...seen.keys()].find((k) => /^\/assets\/.*\.js$/.test(k));
    expect(script).toBeDefined();
    expect(seen.get(script!)!['content-encoding']).toMatch(/^(br|gzip)$/);
    expect(seen.get(script!)!['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(seen.get('/')!['cache-control']).toBe('no-cache');
    await p.close();
  });

  it("a job's page shows nothing of the job seen before it (back and forward)", async () => {
    const done = await stack.client.enqueue('demo.ok', { other: true });
    await waitForState(stack.client, done.id, 'completed');
    const running = await stack.client.enqueue('demo.progress', {});
    await waitForState(stack.client, running.id, 'running');
    const p = await open(`/jobs/${running.id}`);
    await waitText(p, '[data-testid=job-state]', 'running');
    progressGate.open();
    await p.waitForSelector('[role=progressbar][aria-valuenow="45"]');
    await p.evaluate((id) => ((globalThis as unknown as InPage).location.hash = `#/jobs/${id}`), done.id);
    await waitText(p, 'h1', `Job ${done.id}`);
    await waitText(p, '[data-testid=job-state]', 'completed');
    expect(await p.locator('[data-testid=progress]').count()).toBe(0);
    await p.evaluate(() => (globalThis as unknown as InPage).history.back());
    await waitText(p, 'h1', `Job ${running.id}`);
    await p.waitForSelector('[role=progressbar][aria-valuenow="45"]');
    progressGate.open();
    await waitText(p, '[data-testid=job-state]', 'completed');
    await p.close();
  });

  it('asks before deleting one job, and No leaves it', async () => {
    const job = await stack.client.enqueue('demo.ok', {});
    await waitForState(stack.client, job.id, 'completed');
    const p = await open(`/jobs/${job.id}`);
    await waitText(p, '[data-testid=job-state]', 'completed');
    await p.getByRole('button', { name: 'Delete', exact: true }).click();
    const ask = p.getByRole('group', { name: 'Delete this job for good?' });
    await ask.waitFor();
    expect(await stack.client.get(job.id)).not.toBeNull();
    await ask.getByRole('button', { name: 'No' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(await stack.client.get(job.id)).not.toBeNull();
    await p.getByRole('button', { name: 'Delete', exact: true }).click();
    await ask.getByRole('button', { name: 'Yes' }).click();
    await p.waitForFunction(() => (globalThis as unknown as InPage).location.hash === '#/jobs');
    expect(await stack.client.get(job.id)).toBeNull();
    await p.close();
  });

  it('a bulk delete says how many live jobs it left, by state, and deletes them with force', async () => {
    for (let i = 0; i < 3; i++) await stack.client.enqueue('demo.ok', { i }, { queue: 'bulkq', delay: 3_600_000 });
    for (let i = 0; i < 2; i++) {
      const j = await stack.client.enqueue('demo.ok', { i }, { queue: 'bulkq', delay: 3_600_000 });
      await stack.client.cancel(j.id);
    }
    const p = await open('/jobs?queue=bulkq');
    await p.waitForSelector('[data-testid=jobs-table]');
    await p.getByRole('button', { name: 'Delete all' }).click();
    await p
      .getByRole('group', { name: 'Delete every job matching the filter?' })
      .getByRole('button', { name: 'Yes' })
      .click();
    await waitText(
      p,
      '[data-testid=bulk-note]',
      'delete: 2 deleted; 3 not deleted: their state does not allow it (scheduled 3). Delete the 3 live ones too (force)',
    );
    await screenshot(p, 'bulk-left-live');
    await p.getByRole('button', { name: 'Delete the 3 live ones too (force)' }).click();
    await p
      .getByRole('group', { name: 'Delete 3 live jobs too (force)?' })
      .getByRole('button', { name: 'Yes' })
      .click();
    await waitText(p, '[data-testid=bulk-note]', 'delete (force): 3 deleted.');
    expect((await stack.client.list({ queue: 'bulkq' })).jobs).toEqual([]);
    await p.close();
  });

  it("'Trigger now' says which job it enqueued, and the schedule's last run shows it", async () => {
    await fetch(`${stack.server.url}/api/v1/schedules/ping`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spec: '0 3 * * *', template: { type: 'demo.ok', queue: 'default' } }),
    });
    const p = await open('/schedules');
    const row = p.locator('[data-testid=schedules-table] tr[data-schedule="ping"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Trigger now' }).click();
    const note = row.locator('[data-testid=triggered]');
    await note.waitFor();
    const href = await note.locator('a').getAttribute('href');
    const id = decodeURIComponent(href!.replace('#/jobs/', ''));
    expect((await stack.client.get(id))?.metadata).toMatchObject({ schedule: 'ping' });
    expect(await note.textContent()).toContain(`Triggered: job …${id.slice(-8)} enqueued in default.`);
    await waitForState(stack.client, id, 'completed');
    await row.locator('[data-testid=last-run] .state-completed').waitFor();
    expect(await row.locator('[data-testid=last-run] a').textContent()).toBe(`…${id.slice(-8)}`);
    await p.close();
  });

  it('says in words when the server cannot be reached, and disables actions until it is back', async () => {
    const failed = await stack.client.enqueue('demo.fail', {}, { maxAttempts: 1 });
    await waitForState(stack.client, failed.id, 'failed');
    const p = await open(`/jobs/${failed.id}`);
    await waitText(p, '[data-testid=job-state]', 'failed');
    await waitText(p, '[data-testid=live-indicator]', 'live');
    // The request is lost on the way: the answer never comes.
    await p.route('**/api/v1/jobs/*/retry', (route) => route.abort('internetdisconnected'));
    await p.getByRole('button', { name: 'Retry', exact: true }).click();
    const alert = p.locator('.action-error[role=alert]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Cannot reach the Gantry server/);
    expect(await alert.textContent()).not.toContain('Failed to fetch');
    await p.close();

    const own = await stack.startServer();
    const q = await open(`/jobs/${failed.id}`, own.url);
    await waitText(q, '[data-testid=live-indicator]', 'live');
    const retry = q.getByRole('button', { name: 'Retry', exact: true });
    await retry.waitFor();
    expect(await retry.isEnabled()).toBe(true);
    await own.close();
    await waitText(q, '[data-testid=live-indicator]', 'disconnected');
    await q.waitForFunction(() =>
      Array.from(
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ disabled: boolean }> } }
        ).document.querySelectorAll('[aria-label="Job actions"] button'),
      ).every((b) => b.disabled),
    );
    await screenshot(q, 'offline');
    const back = await stack.startServer({ port: own.port });
    await waitText(q, '[data-testid=live-indicator]', 'live');
    expect(await retry.isEnabled()).toBe(true);
    await back.close();
    await q.close();
  });
});
