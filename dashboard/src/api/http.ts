/**
 * The one way the dashboard talks to the server: JSON over `/api/v1` with the bearer token.
 * Errors come back as `ApiError` carrying the server's `{ error: { code, message } }`.
 */
import { authStore } from './auth-store.js';
import type { Role } from './types.js';

/** Where the API lives; same origin as the page, which the server serves. */
export const API_BASE = '/api/v1';

/** An HTTP error from the API, with the server's stable code and message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The server's structured details, e.g. `{ role, needed }` on a 403. */
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  let details: Record<string, unknown> = {};
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string; details?: Record<string, unknown> };
    };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
    if (body.error?.details) details = body.error.details;
  } catch {
    // Not JSON (a proxy's error page): the status line says enough.
  }
  return new ApiError(res.status, code, message, details);
}

/** The code of the `ApiError` a request that never got an answer fails with (offline, server down). */
export const NETWORK_ERROR = 'NETWORK';

/** Calls the API; `path` is relative to `/api/v1`. 204 resolves to `undefined`. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = authStore.get().token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(API_BASE + path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch {
    // fetch rejects only when no answer came at all; the browser's "Failed to fetch" says nothing useful.
    const what = (init.method ?? 'GET') === 'GET' ? 'Nothing was loaded' : 'The action may not have been applied';
    throw new ApiError(
      0,
      NETWORK_ERROR,
      `Cannot reach the Gantry server (offline, or the server is down). ${what}; try again once the top bar says live.`,
    );
  }
  if (res.status === 401) authStore.unauthorized();
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 403) authStore.forbidden(err.details.role as Role | undefined);
    throw err;
  }
  if (authStore.get().status !== 'ok') authStore.authorized(null);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Builds a query string from the set values of `params`. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
