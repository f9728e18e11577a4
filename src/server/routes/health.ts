/** `/healthz` (the process answers), `/readyz` (the engine answers) and `/metrics`. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { sendError } from '../errors.js';
import { errorResponses } from '../schemas/common.js';

const Status = Type.Object(
  { status: Type.String(), engine: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

/** Registers the health and metrics routes (outside `/api/v1`). */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/healthz',
    { logLevel: 'warn', schema: { tags: ['health'], summary: 'The process is up', response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'The engine is reachable',
        response: { 200: Status, ...errorResponses(503) },
      },
    },
    async (_request, reply) => {
      try {
        const backend = await ctx.engine.backend();
        await backend.healthCheck();
        return { status: 'ready', engine: backend.name };
      } catch (err) {
        return sendError(reply, err);
      }
    },
  );

  app.get(
    '/metrics',
    {
      config: { role: 'read' },
      logLevel: 'warn',
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text format)',
        produces: ['text/plain'],
        response: { 200: Type.String(), ...errorResponses(401, 403) },
      },
    },
    async (_request, reply) => {
      const text = await ctx.metrics.render();
      return reply.type(ctx.metrics.registry.contentType).send(text);
    },
  );
}
