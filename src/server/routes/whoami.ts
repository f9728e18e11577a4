/** `GET /whoami`: the caller's role, so a client (the dashboard) shows only what it may do. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ROLES, bearerToken } from '../auth.js';
import type { ServerContext } from '../context.js';
import { errorResponses } from '../schemas/common.js';

const WhoAmI = Type.Object(
  {
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    auth: Type.Boolean({ description: 'false when the server runs without tokens (every caller is admin)' }),
  },
  { additionalProperties: false },
);

/** Registers `GET /whoami` (any valid token). */
export function registerWhoAmIRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/whoami',
    {
      config: { role: 'read' },
      schema: {
        tags: ['auth'],
        summary: "The caller's role",
        response: { 200: WhoAmI, ...errorResponses(401) },
      },
    },
    async (request) => ({
      role: ctx.auth.authorize(bearerToken(request.headers.authorization), 'read'),
      auth: ctx.auth.enabled,
    }),
  );
}
