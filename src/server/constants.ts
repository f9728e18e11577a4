/** Defaults of the HTTP server, in one place (the engine-independent ones are in src/core/constants.ts). */

/** Port of `gantry server` when `--port` is not given. */
export const DEFAULT_HTTP_PORT = 8080;

/** Address `gantry server` binds when `--host` is not given: loopback, safe without tokens. */
export const DEFAULT_HTTP_HOST = '127.0.0.1';

/** Largest HTTP request body, in bytes (a batch of jobs may carry several payloads). */
export const DEFAULT_HTTP_BODY_LIMIT = 16 * 1024 * 1024;

/** Longest long poll of `POST /api/v1/claims`, in ms. */
export const MAX_CLAIM_WAIT_MS = 60_000;

/** Interval of the comment lines that keep a server-sent-event stream open through proxies, in ms. */
export const DEFAULT_SSE_HEARTBEAT_MS = 15_000;

/** `Retry-After` (seconds) the server sends with 429 (queue full) and 503 (engine unreachable). */
export const DEFAULT_RETRY_AFTER_S = 5;

/** How long a ticket of the event stream is valid, in ms. */
export const EVENTS_TICKET_TTL_MS = 60_000;

/**
 * Longest path parameter the router passes on, in characters: more than a name may be
 * (`MAX_NAME_LENGTH`), so that a longer one reaches the core's validation and its message.
 */
export const MAX_PARAM_LENGTH = 2048;
