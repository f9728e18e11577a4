/**
 * Helpers of the examples' end-to-end tests: run an example's scripts and `gantry` commands as
 * a user would (real processes, real HTTP), and talk to the REST API.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT, childEnv, type Running, type RunResult } from '../cli/cli-helpers.js';

export { BIN, ROOT, killAll, spawnGantry, tempDb, waitUntil, type Running } from '../cli/cli-helpers.js';

/** The folder of an example. */
export const exampleDir = (name: string): string => path.join(ROOT, 'examples', name);

/** Starts `node <script> args…` in `cwd`, collecting its output (as `spawnGantry` does). */
export function spawnNode(
  script: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Running {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
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

/** The answer of one HTTP call: status and parsed JSON body (`null` when empty). */
export interface Answer<T> {
  status: number;
  body: T;
}

/** One JSON request to `base + route`. */
export async function http<T = unknown>(
  base: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<Answer<T>> {
  const res = await fetch(`${base}${route}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

/** The base URL a `gantry server` printed (`gantry server on http://…`), once it did. */
export function serverUrl(r: Running): string | null {
  return /gantry server on (http:\/\/\S+)/.exec(r.stdout)?.[1] ?? null;
}
