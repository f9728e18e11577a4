/**
 * What the server's log must not carry: secrets in request URLs (a token or ticket in the
 * query string, a password in user info) and in headers (`Authorization`, cookies, API keys).
 * The request serializer of every logger the server makes goes through here.
 */

/** Query parameters whose values are secrets, lower case. */
const SECRET_PARAMS = new Set(['token', 'ticket', 'access_token', 'api_key', 'apikey', 'key', 'password', 'secret']);

/** Headers whose values are secrets, lower case. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

/** What stands for a secret in the log. */
export const REDACTED = '[redacted]';

/** `url` (a path with a query, or an absolute URL) with secret query values and passwords replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const head = url.slice(0, q === -1 ? undefined : q).replace(/\/\/([^:/@]*):[^@/]*@/, `//$1:${REDACTED}@`);
  if (q === -1) return head;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // An undecodable name is logged as sent.
      }
      return eq !== -1 && SECRET_PARAMS.has(decoded.toLowerCase()) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${head}?${query}`;
}

/** A copy of `headers` with secret values replaced. */
export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? REDACTED : v;
  return out;
}

/** What a log entry keeps of a request: no body, no secret. */
export function requestForLog(req: {
  method?: string;
  url?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number };
}): Record<string, unknown> {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    host: req.headers?.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
