/**
 * The guard of a server without tokens (loopback only, as `gantry dev` runs): anyone on the
 * machine may call it, so what must be kept out is the developer's own browser acting for a
 * web page. Two checks, before anything else runs:
 *
 * - `Host` must name this machine: `localhost` (or a `*.localhost` name), a 127.x address, `::1`,
 *   the address the server listens on, or a name in `allowedHosts`. A page of a rebinding
 *   domain (DNS that first answers its own address, then 127.0.0.1) sends its own name.
 * - A write (any method but GET, HEAD, OPTIONS) from a browser must come from a page of this
 *   server: `Sec-Fetch-Site` same-origin (or none: typed by the user), and `Origin`, when
 *   sent, with this request's host. A bodiless cross-site form post or `fetch` is refused.
 *
 * Requests from programs (curl, HTTP workers) send neither header and pass.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GantryError } from '../core/errors.js';
import { isLoopback } from './auth.js';

/** A request of a kind no-token mode refuses (403, code `FORBIDDEN`). */
export class LocalOnlyError extends GantryError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host name of a `Host` header (or an origin's host): lower case, port and brackets removed. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1 || undefined);
  return h.replace(/:\d*$/, '');
}

/** True for names that always reach this machine: loopback addresses, `localhost`, `*.localhost`. */
function isLocalName(name: string): boolean {
  return isLoopback(name) || name.endsWith('.localhost');
}

/** Why `request` is refused, or null. `allowed`: host names accepted besides the local ones. */
export function localGuardRefusal(request: FastifyRequest, allowed: ReadonlySet<string>): string | null {
  const host = request.headers.host;
  if (host !== undefined && !isLocalName(hostName(host)) && !allowed.has(hostName(host))) {
    return (
      `Host ${JSON.stringify(host)} is not a name of this machine; a server without API tokens answers only ` +
      'localhost, loopback addresses and its own address (set tokens, or allowedHosts, to serve other names)'
    );
  }
  if (SAFE_METHODS.has(request.method)) return null;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `a ${site} request may not change anything on a server without API tokens; use the dashboard, the CLI or the API from this machine`;
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !sameHost(origin, host)) {
    return `a request from ${origin} may not change anything on a server without API tokens; use the dashboard, the CLI or the API from this machine`;
  }
  return null;
}

/** True when `origin` (`scheme://host[:port]`) names the host the request was sent to. */
function sameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.trim().toLowerCase();
  } catch {
    return false; // `null` (a sandboxed page or a file) and anything unreadable
  }
}

/**
 * Installs the guard when no token is configured (`authEnabled` false). `hosts`: host names
 * accepted besides the local ones (the address the server listens on, `allowedHosts`).
 */
export function installLocalGuard(app: FastifyInstance, authEnabled: boolean, hosts: readonly string[]): void {
  if (authEnabled) return;
  // An IPv6 address comes bracketed in a Host header.
  const allowed = new Set(hosts.map((h) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : hostName(h))));
  app.addHook('onRequest', async (request) => {
    const refusal = localGuardRefusal(request, allowed);
    if (refusal) throw new LocalOnlyError(refusal);
  });
}
