/**
 * Helpers of the CLI and reliability tests: run the real built `gantry` as a child process on
 * a temporary SQLite file, and wait on conditions instead of sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';

/** The repository root. */
export const ROOT = path.resolve(import.meta.dirname, '../..');
/** The `gantry` entry point. */
export const BIN = path.join(ROOT, 'bin/gantry.js');
/** A fixture handlers module. */
export const fixture = (name: string): string => path.join(ROOT, 'test/fixtures', name);

/** A temporary directory with a database URL in it. */
export interface TempDb {
  dir: string;
  file: string;
  url: string;
  cleanup(): void;
}

/** Makes a temporary directory holding `gantry.db`; `cleanup()` removes it. */
export function tempDb(prefix = 'gantry-cli-'): TempDb {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const file = path.join(dir, 'gantry.db');
  return { dir, file, url: `sqlite:${file}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment of a child: this one without any GANTRY_* setting, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GANTRY_')) env[k] = v;
  return { ...env, ...extra };
}

/** What a finished command printed and its exit code. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of a child run. */
export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
}

/** A running `gantry` process whose output is collected as it comes. */
export interface Running {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when the process has exited. */
  exited: Promise<RunResult>;
}

/** Starts `gantry args…` and collects its output. */
export function spawnGantry(args: string[], options: RunOptions = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<RunResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

/** Runs `gantry args…` to its end. */
export function gantry(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return spawnGantry(args, options).exited;
}

/** Runs `gantry --url <url> --json args…` and parses stdout; throws with stderr on failure. */
export async function gantryJson<T = unknown>(url: string, args: string[], options: RunOptions = {}): Promise<T> {
  const r = await gantry(['--url', url, '--json', ...args], options);
  if (r.code !== 0) throw new Error(`gantry ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * Polls `cond` every `intervalMs` until it returns true; fails after `timeoutMs` naming `what`.
 * This is how tests wait for other processes: on a condition, never a fixed delay.
 */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 20_000, intervalMs = 50 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Sends `signal` to every process still running; used in `afterEach` so no child outlives a test. */
export function killAll(children: Running[], signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const r of children) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill(signal);
}

/** The engines a CLI test runs on, as `[name, url]`, and what removes their stores. */
export interface CliEngines {
  engines: [string, string][];
  /** True when PostgreSQL is up (and among `engines`). */
  postgres: boolean;
  cleanup(): Promise<void>;
}

/**
 * A temporary SQLite file, and a fresh PostgreSQL schema `<prefix>_<random>` when PostgreSQL
 * is up (else a line says how to start it, or under CI the suite fails).
 */
export async function cliEngines(prefix: string): Promise<CliEngines> {
  const sqlite = tempDb(`gantry-${prefix}-`);
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  const pgUp = await engineAvailable('postgres');
  return {
    engines: [
      ['sqlite', sqlite.url],
      ...(pgUp ? [['postgres', `${TEST_URLS.postgres}?schema=${schema}`] as [string, string]] : []),
    ],
    postgres: pgUp,
    async cleanup() {
      sqlite.cleanup();
      if (!pgUp) return;
      const admin = new pg.Client({ connectionString: TEST_URLS.postgres });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}
