/** What every route of the server shares, and the per-route auth setting. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.js';
import { bearerToken, ForbiddenError, rank, UnauthorizedError, type Authenticator, type Role } from './auth.js';
import type { EngineHandle } from './engine.js';
import type { EventTickets } from './event-tickets.js';
import type { ServerMetrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role that may call the route; routes without one are public (health, docs). */
    role?: Role;
    /** Also accept a ticket of `EventTickets` as `?ticket=` (EventSource cannot set headers). */
    ticket?: boolean;
  }
}

/** Shared state of one server instance. */
export interface ServerContext {
  engine: EngineHandle;
  auth: Authenticator;
  /** Short-lived tickets that stand for a token on the event stream. */
  tickets: EventTickets;
  clock: Clock;
  metrics: ServerMetrics;
  /** Aborted when the server starts closing: long polls and event streams end. */
  closing: AbortSignal;
  /** Interval of SSE comment heartbeats, ms. */
  sseHeartbeatMs: number;
}

/** Why a token in the query string is refused (it used to be accepted on the event stream). */
const QUERY_TOKEN_REFUSED =
  'a token in the URL is not accepted (URLs end up in logs and history): send "Authorization: Bearer <token>", ' +
  'or from a browser POST /api/v1/events/tickets with it and open /api/v1/events?ticket=<ticket>';

/** Checks the caller's token (or ticket) against the route's role before the body is even read. */
export function installAuth(app: FastifyInstance, ctx: ServerContext): void {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const config = request.routeOptions.config;
    if (!config?.role) return;
    const token = bearerToken(request.headers.authorization);
    if (!token && ctx.auth.enabled) {
      const q = request.query as Record<string, unknown> | undefined;
      if (config.ticket && typeof q?.ticket === 'string') {
        const role = ctx.tickets.redeem(q.ticket);
        if (rank(role) < rank(config.role)) throw new ForbiddenError(role, config.role);
        return;
      }
      if (typeof q?.token === 'string') throw new UnauthorizedError(QUERY_TOKEN_REFUSED);
    }
    ctx.auth.authorize(token, config.role);
  });
}
