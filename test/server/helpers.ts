/**
 * Test harness of the HTTP server: a real SQLite engine in its own temp file, a real server
 * listening on a free port, and a small `fetch` wrapper.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../../src/backend/backend.js';
import type { Clock } from '../../src/core/clock.js';
import { openSqliteBackend } from '../../src/engines/sqlite/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/index.js';

/** Tokens every auth test uses, one per role. */
export const TOKENS = { read: 'r-token-1234', write: 'w-token-5678', admin: 'a-token-9abc' };

/** `role:token` text of `TOKENS`. */
export const TOKENS_TEXT = Object.entries(TOKENS)
  .map(([role, token]) => `${role}:${token}`)
  .join(',');

/** A server and its engine. */
export interface TestServer {
  url: string;
  backend: Backend;
  server: RunningServer;
  dir: string;
  /** `fetch` on the server with the admin token (or `token`). */
  call(path: string, init?: RequestInit & { json?: unknown; token?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a server on a fresh SQLite file. */
export async function startTestServer(
  options: Partial<ServerOptions> & { clock?: Clock; auth?: boolean } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-server-'));
  const { auth = true, ...rest } = options;
  const backend = await openSqliteBackend({
    url: `sqlite:${join(dir, 'gantry.db')}`,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const server = await startServer({
    backend,
    port: 0,
    logger: false,
    dashboardDir: null,
    env: {},
    ...(auth ? { tokens: TOKENS_TEXT } : {}),
    ...rest,
  });
  const call: TestServer['call'] = (path, init = {}) => {
    const { json, token = TOKENS.admin, ...rest2 } = init;
    const headers = new Headers(rest2.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(server.url + path, {
      ...rest2,
      headers,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  };
  return {
    url: server.url,
    backend,
    server,
    dir,
    call,
    async close() {
      await server.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The JSON body of a response, typed loosely for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function body(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
