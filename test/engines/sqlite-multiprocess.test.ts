/**
 * Several processes claiming from one SQLite file (docs/architecture.md, "Delivery"): every job is claimed
 * exactly once. The children are plain `node` processes that import the TypeScript sources
 * through small module hooks, so the test needs no build step.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { validateEnqueue } from '../../src/core/validate.js';
import { openSqliteBackend } from '../../src/engines/sqlite/index.js';

const CHILD = fileURLToPath(new URL('./sqlite-mp-child.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gantry-sqlite-mp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  proc: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  result: Promise<{ workerId: string; claimed: string[] }>;
}

function startChild(url: string, workerId: string, batch: number): Child {
  const proc = spawn(process.execPath, [CHILD, url, workerId, String(batch)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const result = new Promise<{ workerId: string; claimed: string[] }>((resolve, reject) => {
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`child ${workerId} exited ${code}: ${err}`));
      resolve(JSON.parse(out.split('\n').filter(Boolean).at(-1)!));
    });
  });
  // A child that dies before `ready` must not leave the test waiting for it.
  void result.catch(() => onReady());
  return { proc, ready, result };
}

describe('sqlite: several processes on one file', () => {
  it('claims every job exactly once across 3 processes', async () => {
    const url = `sqlite:${join(dir, 'mp.db')}`;
    const backend = await openSqliteBackend({ url });
    const total = 1_500;
    const now = backend.clock.now();
    const jobs = Array.from({ length: total }, (_, i) =>
      validateEnqueue({ type: 'mp.job', queue: 'mp', payload: i }, now),
    );
    for (let i = 0; i < total; i += 500) await backend.jobsEnqueue({ jobs: jobs.slice(i, i + 500) });

    const children = [startChild(url, 'p1', 25), startChild(url, 'p2', 40), startChild(url, 'p3', 10)];
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.proc.stdin.end('go\n');
    const results = await Promise.all(children.map((c) => c.result));

    const all = results.flatMap((r) => r.claimed);
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    // Each process took part (they ran at the same time, not one after another).
    for (const r of results) expect(r.claimed.length).toBeGreaterThan(0);
    const counts = (await backend.jobsCount({ queues: ['mp'] }))['mp']!;
    expect(counts.completed).toBe(total);
    const sample = await backend.jobGet({ id: jobs[0]!.id });
    expect(sample).toMatchObject({ state: 'completed', attempts: 1 });
    await backend.close();
  }, 120_000);
});
