/**
 * `gantry dev` as a newcomer runs it: in an empty directory, on the default URL. Demo jobs are
 * enqueued on the first start only, run in priority order, show progress, a failure and its
 * retry, a delayed job; Ctrl+C (SIGINT) stops it cleanly.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import type { Job } from '../../src/core/job.js';
import { gantry, killAll, spawnGantry, tempDb, waitUntil, type Running } from './cli-helpers.js';

/** The status of `GET /api/v1/queues` sent with `Host: host` (fetch does not let one set it). */
function statusUnderHost(base: string, host: string): Promise<number> {
  const u = new URL('/api/v1/queues', base);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: u.port, path: u.pathname, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
  });
}

const db = tempDb('gantry-dev-');
const children: Running[] = [];
let client: Client | undefined;
afterEach(() => killAll(children));
afterAll(async () => {
  await client?.close();
  db.cleanup();
});

/** Starts `gantry dev` in the temp directory with no --url: the default sqlite:./gantry.db. */
function startDev(...server: string[]): Running {
  const r = spawnGantry(['dev', '--poll', '100ms', ...(server.length ? server : ['--no-server'])], { cwd: db.dir });
  children.push(r);
  return r;
}

const all = async (c: Client): Promise<Job[]> => (await c.list({ limit: 100 })).jobs;

describe('gantry dev', () => {
  it('runs the demo jobs on first start and prints each one’s progress and outcome', { timeout: 60_000 }, async () => {
    const dev = startDev();
    await waitUntil(() => dev.stdout.includes('demo jobs'), 'the banner', { timeoutMs: 20_000 });
    expect(existsSync(path.join(db.dir, 'gantry.db'))).toBe(true);
    expect(dev.stdout).toMatch(/^gantry dev on sqlite:\.\/gantry\.db$/m);
    expect(dev.stdout).toMatch(/demo jobs {2}8 enqueued/);

    client = await Client.connect({ url: db.url });
    const c = client;
    await waitUntil(
      async () => {
        const jobs = await all(c);
        return jobs.length === 8 && jobs.every((j) => j.state === 'completed');
      },
      'every demo job to complete',
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    const jobs = await all(c);
    const flaky = jobs.find((j) => j.type === 'demo.flaky')!;
    expect(flaky.attempts).toBe(2);
    expect(flaky.errors.map((e) => e.attempt)).toEqual([1]);
    const report = jobs.find((j) => j.type === 'demo.report')!;
    expect(report.progress).toEqual({ percent: 100, message: 'step 10/10' });
    const delayed = jobs.find((j) => j.type === 'demo.hello')!;
    expect(delayed.startedAt!.getTime() - delayed.createdAt.getTime()).toBeGreaterThanOrEqual(5000);

    // Priorities: the three high/critical jobs take the three slots first.
    const firstRound = jobs
      .filter((j) => j.type !== 'demo.hello' && j.type !== 'demo.flaky')
      .sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime())
      .slice(0, 3);
    expect(firstRound.map((j) => j.priority).sort()).toEqual([10, 10, 20]);

    // What it printed, as it happened.
    await waitUntil(() => /demo\.hello .* completed/.test(dev.stdout), 'the last completion line');
    expect(dev.stdout).toMatch(/demo\.hello\s+…\w{8}\s+scheduled/);
    for (const pct of [10, 50, 100]) {
      expect(dev.stdout).toMatch(new RegExp(`demo\\.report .* progress \\[#+-*\\]\\s+${pct}% step ${pct / 10}/10`));
    }
    expect(dev.stdout).toMatch(/demo\.flaky .* attempt 1 failed: simulated network blip.* will retry/);
    expect(dev.stdout).toMatch(/demo\.flaky .* started \(attempt 2/);
    expect(dev.stdout).toMatch(/demo\.flaky .* completed in .* → \{"ok":true,"attempt":2\}/);

    dev.child.kill('SIGINT');
    const exit = await dev.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toMatch(/stopping: running jobs may finish/);
    expect(exit.stdout).toMatch(/\nstopped\n$/);
  });

  it('claims only for free slots unless told (--prefetch 0)', async () => {
    const r = await gantry(['dev', '--help']);
    expect(r.stdout).toMatch(/--prefetch <n>[^-]*\(default: 0,/);
  });

  it('does not enqueue the demo jobs again on the next start; serves the HTTP API', { timeout: 30_000 }, async () => {
    const dev = startDev('--port', '0', '--allowed-hosts', 'mybox.test');
    await waitUntil(() => dev.stdout.includes('demo jobs'), 'the banner', { timeoutMs: 20_000 });
    expect(dev.stdout).toMatch(/demo jobs {2}enqueued on an earlier start/);
    const url = /dashboard {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(dev.stdout)?.[1];
    expect(url, dev.stdout).toBeDefined();
    const res = await fetch(`${url}/api/v1/jobs?limit=100`);
    expect(res.status).toBe(200);
    // No tokens: a page of another site in the developer's browser may not act on it.
    const crossSite = await fetch(`${url}/api/v1/queues/default/pause`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(((await crossSite.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    // Only this machine's names, and those of --allowed-hosts (DNS rebinding sends its own).
    const port = new URL(url!).port;
    expect(await statusUnderHost(url!, `mybox.test:${port}`)).toBe(200);
    expect(await statusUnderHost(url!, `rebind.example:${port}`)).toBe(403);
    dev.child.kill('SIGINT');
    expect((await dev.exited).code).toBe(0);
    client ??= await Client.connect({ url: db.url });
    expect(await all(client)).toHaveLength(8);
  });

  it('refuses a busy port with a message saying what to do (exit 2)', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const r = await gantry(['dev', '--port', String(port)], { cwd: db.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        `port ${port} on 127.0.0.1 is in use: pass --port <another> (0 picks a free one) or --no-server`,
      );
    } finally {
      busy.close();
    }
  });
});
