/**
 * The Gantry HTTP server (docs/http-api.md): the REST API under `/api/v1` with its OpenAPI document,
 * bearer tokens with roles, server-sent events, HTTP workers, Prometheus metrics, health
 * probes and the dashboard. Built on the `Client` (operations) and the `Backend` (claims).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/clock.js';
import {
  DEFAULT_HTTP_BODY_LIMIT,
  DEFAULT_HTTP_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_SSE_HEARTBEAT_MS,
  MAX_PARAM_LENGTH,
} from './constants.js';
import { EngineUnavailableError, ValidationError } from '../core/errors.js';
import { Authenticator, isLoopback, loadTokens, type TokenEntry } from './auth.js';
import { installAuth, type ServerContext } from './context.js';
import { EngineHandle, type EngineSource } from './engine.js';
import { EventTickets } from './event-tickets.js';
import { installErrorHandler, sendError } from './errors.js';
import { installLocalGuard } from './local-guard.js';
import { clientErrorHandler } from './client-errors.js';
import { installExpectContinue } from './expect-continue.js';
import { adaptLogger } from './logger.js';
import { redactUrl, requestForLog } from './redact.js';
import type { Logger } from '../worker/types.js';
import type { Backend } from '../backend/backend.js';
import { ServerMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { registerClaimRoutes } from './routes/claims.js';
import { registerEventRoutes } from './routes/events.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerQueueRoutes } from './routes/queues.js';
import { registerScheduleRoutes } from './routes/schedules.js';
import { registerWhoAmIRoute } from './routes/whoami.js';
import { SHARED_SCHEMAS } from './schemas/common.js';
import { registerDashboard } from './static.js';

export { Authenticator, loadTokens, parseTokens, type Role, type TokenEntry } from './auth.js';

/** Options of `createServer` / `startServer`. Give one of `client`, `backend` or `url`. */
export interface ServerOptions extends EngineSource {
  /** Address to bind (startServer); default 127.0.0.1. Public addresses need tokens. */
  host?: string;
  /** Port (startServer); default 8080, 0 for any free port. */
  port?: number;
  /** Tokens (`role:token,…` text or entries), in addition to `tokensFile` and `GANTRY_API_TOKENS`. */
  tokens?: TokenEntry[] | string;
  /** File of `role:token` lines. */
  tokensFile?: string;
  /** Environment to read `GANTRY_API_TOKENS` from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** `false` for silence, `true` for pino at info, a pino logger, or Gantry's `Logger`. */
  logger?: boolean | FastifyBaseLogger | Logger;
  /** Time source of the server's timers (SSE heartbeats, long polls); default the engine's. */
  clock?: Clock;
  /** Interval of SSE heartbeat comments, ms. */
  sseHeartbeatMs?: number;
  /** Largest request body, bytes. */
  bodyLimit?: number;
  /** Folder of the built dashboard; `null` to serve none; default `<package>/dist/dashboard`. */
  dashboardDir?: string | null;
  /**
   * Without tokens the server answers only requests whose `Host` is `localhost`, a loopback
   * address or `host`, and refuses cross-site writes (DNS rebinding, CSRF); these host names
   * are accepted too.
   */
  allowedHosts?: string[];
}

/** A listening server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  port: number;
  app: FastifyInstance;
  /** Calls `fn` with the backend once the engine is open (at once if it is), e.g. to start maintenance. */
  onBackend(fn: (backend: Backend) => void): void;
  /** Stops listening, ends streams and long polls, closes an engine the server opened. */
  close(): Promise<void>;
}

/** Fastify's logger: every kind logs requests through `requestForLog`, which drops secrets. */
function loggerOptions(logger: ServerOptions['logger']): Record<string, unknown> {
  if (logger === false) return { logger: false };
  const serializers = { req: requestForLog };
  if (logger === undefined || logger === true) {
    return { logger: { level: process.env.GANTRY_LOG_LEVEL ?? 'info', serializers } };
  }
  if ('fatal' in logger && 'trace' in logger) return { loggerInstance: logger.child({}, { serializers }) };
  return { loggerInstance: adaptLogger(logger) };
}

/** Builds the server with resolved tokens (startServer resolves them once, before binding). */
function buildServer(options: ServerOptions, tokens: TokenEntry[]): { app: FastifyInstance; engine: EngineHandle } {
  const bodyLimit = options.bodyLimit ?? DEFAULT_HTTP_BODY_LIMIT;
  const app = Fastify({
    ...loggerOptions(options.logger),
    bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Path parameters longer than a name reach the core's validation, which says what a name is.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals (a segment over that length, bad percent-encoding) in the API's shape.
    frameworkErrors: (err, _request, reply) => sendError(reply, err),
    // And the HTTP parser's (headers over 16 KiB, malformed requests).
    clientErrorHandler,
    // Unknown fields are refused, not silently dropped; body types are never coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, strict: false } },
  }) as unknown as FastifyInstance;
  installExpectContinue(app, bodyLimit);
  const engine = new EngineHandle(options);
  const closing = new AbortController();
  const clock = options.clock ?? options.client?.backend.clock ?? options.backend?.clock ?? systemClock;
  const metrics = new ServerMetrics(engine);
  const ctx: ServerContext = {
    engine,
    auth: new Authenticator(tokens),
    tickets: new EventTickets(tokens, clock),
    clock,
    metrics,
    closing: closing.signal,
    sseHeartbeatMs: options.sseHeartbeatMs ?? DEFAULT_SSE_HEARTBEAT_MS,
  };
  installJsonParser(app);
  installErrorHandler(app);
  installLocalGuard(app, ctx.auth.enabled, [...(options.host ? [options.host] : []), ...(options.allowedHosts ?? [])]);
  installAuth(app, ctx);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  for (const s of SHARED_SCHEMAS) app.addSchema(s);
  registerOpenApi(app);
  void app.register(
    async (api) => {
      registerJobRoutes(api, ctx);
      registerClaimRoutes(api, ctx);
      registerQueueRoutes(api, ctx);
      registerEventRoutes(api, ctx);
      registerScheduleRoutes(api, ctx);
      registerWhoAmIRoute(api, ctx);
    },
    { prefix: '/api/v1' },
  );
  registerHealthRoutes(app, ctx);
  void app.register(async (root) => {
    const served = await registerDashboard(root, options.dashboardDir === undefined ? undefined : options.dashboardDir);
    if (!served) root.log.debug('no built dashboard found; serving the API only');
  });
  metrics.start();
  app.addHook('preClose', async () => {
    closing.abort();
    await metrics.stop();
  });
  app.addHook('onClose', async () => engine.close());
  return { app, engine };
}

/**
 * JSON bodies as Fastify parses them (refusing `__proto__` and `constructor.prototype` keys,
 * which could poison prototypes), except that an empty body means "no body", and a refusal says
 * why: bad JSON, or such a key.
 */
function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  // Only JSON is accepted; anything else is a 415 that says so, not a confusing schema error.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return parse(request, text, (err, value) => (err ? done(jsonRefusal(text, err), undefined) : done(null, value)));
  });
}

/** Why a JSON body was refused: its syntax (where), or a key that would poison prototypes. */
function jsonRefusal(text: string, err: Error): Error {
  try {
    JSON.parse(text);
  } catch (syntax) {
    return new ValidationError(`the body is not valid JSON: ${(syntax as Error).message}`, { cause: err });
  }
  return new ValidationError(
    'the body has a "__proto__" or "constructor": {"prototype": …} key, which the server refuses (it could poison object prototypes); rename the key',
    { cause: err },
  );
}

/**
 * Creates the server without listening (for tests and embedding: `app.inject`, or
 * `app.listen`). Tokens come from `tokens`, `tokensFile` and `GANTRY_API_TOKENS`.
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const { app } = buildServer(options, loadTokens(options));
  return app;
}

/**
 * Starts the server. Refuses a public address without tokens. With a `url` whose engine is
 * unreachable it starts anyway, answers 503, and recovers when the engine comes back.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HTTP_HOST;
  const tokens = loadTokens(options);
  if (tokens.length === 0 && !isLoopback(host)) {
    throw new ValidationError(
      `refusing to listen on ${host} without API tokens: anyone could run and delete jobs. ` +
        'Set GANTRY_API_TOKENS=role:token,… or --tokens-file, or bind to 127.0.0.1',
    );
  }
  const { app, engine } = buildServer(options, tokens);
  if (options.url && !options.client && !options.backend) await probe(app, engine, options.url);
  if (tokens.length === 0) app.log.warn(`no API tokens configured: listening on loopback (${host}) only`);
  await app.listen({ host, port: options.port ?? DEFAULT_HTTP_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_HTTP_PORT);
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    port,
    app,
    onBackend: (fn) => engine.onOpen((c) => fn(c.backend)),
    close: () => app.close(),
  };
}

/** Opens the engine once at start: a bad URL stops the start, an outage only warns. */
async function probe(app: FastifyInstance, engine: EngineHandle, url: string): Promise<void> {
  try {
    await engine.get();
  } catch (err) {
    if (!(err instanceof EngineUnavailableError)) throw err;
    app.log.warn({ err }, `engine at ${redactUrl(url)} unreachable; answering 503 until it is back`);
  }
}
