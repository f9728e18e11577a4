/**
 * The NATS JobManager/JobWorker example, run as a user runs it: the Gantry worker and the plain
 * NATS manager as two real processes on the machine's nats-server, on a prefix of their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { dropNatsPrefix } from '../helpers/nats.js';

const available = await engineAvailable('nats');
const DIR = path.join(import.meta.dirname, '../../examples/nats-jobmanager');

/** A running example process and its output so far. */
interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function run(script: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [path.join(DIR, script)], { env: { ...process.env, ...env } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

describe.skipIf(!available)('example: NATS JobManager and Gantry JobWorker', () => {
  const prefix = `ex${randomBytes(4).toString('hex')}`;
  const procs: Proc[] = [];
  afterEach(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await dropNatsPrefix(TEST_URLS.nats, prefix);
  });

  it('the manager submits Process Data A/B/C and prints each completion from the results subject', async () => {
    // The manager first: its jobs wait in the stream until the worker takes them.
    const manager = run('manager.mjs', { NATS_URL: TEST_URLS.nats, GANTRY_PREFIX: prefix });
    procs.push(manager);
    const worker = run('worker.mjs', { GANTRY_URL: `${TEST_URLS.nats}?prefix=${prefix}` });
    procs.push(worker);
    expect(await manager.exited).toBe(0);
    const lines = manager.out().trim().split('\n');
    for (const n of [1, 2, 3]) expect(lines).toContain(`Job ${n} submitted: Process Data ${'ABC'[n - 1]}`);
    const done = lines.filter((l) => l.includes('completed with status'));
    expect(done.map((l) => l.replace(/ \(.*\)$/, '')).sort()).toEqual([
      'Job 1 completed with status: Completed',
      'Job 2 completed with status: Completed',
      'Job 3 completed with status: Completed',
    ]);
    expect(worker.out()).toMatch(/working on Process Data A/);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
