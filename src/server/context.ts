/** What every route of the server shares, and the per-route auth setting. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.js';
import { bearerToken, type Authenticator, type Role } from './auth.js';
import type { EngineHandle } from './engine.js';
import type { ServerMetrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role that may call the route; routes without one are public (health, docs). */
    role?: Role;
    /** Also accept the token as `?token=` (EventSource cannot set headers). */
    queryToken?: boolean;
  }
}

/** Shared state of one server instance. */
export interface ServerContext {
  engine: EngineHandle;
  auth: Authenticator;
  clock: Clock;
  metrics: ServerMetrics;
  /** Aborted when the server starts closing: long polls and event streams end. */
  closing: AbortSignal;
  /** Interval of SSE comment heartbeats, ms. */
  sseHeartbeatMs: number;
}

/** Checks the caller's token against the route's role before the body is even read. */
export function installAuth(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const config = request.routeOptions.config;
    if (!config?.role) return;
    let token = bearerToken(request.headers.authorization);
    if (!token && config.queryToken) {
      const q = request.query as Record<string, unknown> | undefined;
      if (typeof q?.token === 'string') token = q.token;
    }
    ctx.auth.authorize(token, config.role);
  });
}
