/**
 * `GET /api/v1/events`: the lifecycle events (docs/architecture.md, "Events") as server-sent events. Each event is one
 * `data:` line of JSON (its `type` inside, so `EventSource.onmessage` sees them all) with its
 * `seq` as the SSE `id`, which lets a reconnecting client resume with `Last-Event-ID` on
 * engines that replay. Comment lines keep idle streams open through proxies.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { ValidationError } from '../../core/errors.js';
import { EVENT_TYPES, type EventFilter, type EventType, type GantryEvent } from '../../core/events.js';
import { bearerToken } from '../auth.js';
import type { ServerContext } from '../context.js';
import { AUTH_ERRORS, errorResponses, listParam, listValues } from '../schemas/common.js';

/** A stream whose client reads slower than this many buffered bytes is closed (it resumes by id). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

const EventsQuery = Type.Object(
  {
    queue: Type.Optional(listParam('queue(s)')),
    type: Type.Optional(listParam('job type(s)')),
    event: Type.Optional(listParam(`event type(s): ${EVENT_TYPES.join(', ')}`)),
    jobId: Type.Optional(Type.String({ maxLength: 200 })),
    lastEventId: Type.Optional(Type.String({ maxLength: 200, description: 'like the Last-Event-ID header' })),
    ticket: Type.Optional(
      Type.String({ maxLength: 200, description: 'a ticket from POST /events/tickets, for EventSource' }),
    ),
    token: Type.Optional(Type.String({ maxLength: 1000, description: 'refused: send a ticket instead' })),
  },
  { additionalProperties: false },
);
type EventsQuery = Static<typeof EventsQuery>;

/** The event filter a query asks for. */
export function eventFilter(q: EventsQuery): EventFilter {
  const f: EventFilter = {};
  const queues = listValues(q.queue);
  if (queues) f.queues = queues;
  const jobTypes = listValues(q.type);
  if (jobTypes) f.jobTypes = jobTypes;
  const events = listValues(q.event);
  for (const e of events ?? []) {
    if (!(EVENT_TYPES as readonly string[]).includes(e)) {
      throw new ValidationError(`event must be one of ${EVENT_TYPES.join(', ')}, got ${JSON.stringify(e)}`);
    }
  }
  if (events) f.types = events as EventType[];
  if (q.jobId) f.jobId = q.jobId;
  return f;
}

/** One event in SSE framing. */
export function sseFrame(e: GantryEvent): string {
  return `${e.seq ? `id: ${e.seq}\n` : ''}data: ${JSON.stringify(e)}\n\n`;
}

/** Registers the event stream route and the route of its tickets. */
export function registerEventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/events/tickets',
    {
      config: { role: 'read' },
      schema: {
        tags: ['events'],
        summary: 'A ticket that opens the event stream once, within a minute',
        description:
          'For browsers: EventSource cannot send the Authorization header, and a token in a URL ends up in ' +
          'logs. Open /events?ticket=<ticket> with the ticket this returns; it is valid once, for that route ' +
          'only, for 60 seconds.',
        response: {
          201: Type.Object(
            { ticket: Type.String(), expiresAt: Type.String({ format: 'date-time' }) },
            { additionalProperties: false },
          ),
          ...errorResponses(...AUTH_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const role = ctx.auth.authorize(bearerToken(request.headers.authorization), 'read');
      const { ticket, expiresAt } = ctx.tickets.issue(role);
      return reply.code(201).send({ ticket, expiresAt: expiresAt.toISOString() });
    },
  );

  app.get<{ Querystring: EventsQuery }>(
    '/events',
    {
      config: { role: 'read', ticket: true },
      schema: {
        tags: ['events'],
        summary: 'Live events as server-sent events',
        description:
          'Each message is `data: <event JSON>` with `id: <seq>`. Filters: queue, type (job type), event ' +
          '(event type), jobId. Resume with the Last-Event-ID header (or lastEventId) where the engine replays. ' +
          'A browser (EventSource cannot send headers) passes ?ticket= from POST /events/tickets instead of ' +
          'the token; a token in the URL is refused.',
        querystring: EventsQuery,
        produces: ['text/event-stream'],
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          ...errorResponses(400, ...AUTH_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const filter = eventFilter(request.query);
      // Reached before the stream starts, so an unreachable engine is still a plain 503.
      const backend = await ctx.engine.backend();
      const header = request.headers['last-event-id'];
      const lastId = (Array.isArray(header) ? header[0] : header) ?? request.query.lastEventId;
      const afterSeq = backend.capabilities.eventReplay && lastId ? lastId : undefined;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });
      res.write(`retry: 2000\n: connected\n\n`);
      await stream(res, ctx, (onEvent) =>
        backend.eventsSubscribe({ filter, ...(afterSeq ? { afterSeq } : {}), onEvent }),
      );
    },
  );
}

/** Pumps events into `res` until the client leaves or the server closes. */
async function stream(
  res: ServerResponse,
  ctx: ServerContext,
  subscribe: (onEvent: (e: GantryEvent) => void) => Promise<() => Promise<void>>,
): Promise<void> {
  let ended = false;
  let unsub: (() => Promise<void>) | undefined;
  let cancelBeat: (() => void) | undefined;
  const end = (): void => {
    if (ended) return;
    ended = true;
    cancelBeat?.();
    ctx.closing.removeEventListener('abort', end);
    void unsub?.().catch(() => undefined);
    res.end();
  };
  const write = (text: string): void => {
    if (ended) return;
    res.write(text);
    if (res.writableLength > MAX_BUFFERED_BYTES) end();
  };
  const beat = (): void => {
    write(': heartbeat\n\n');
    cancelBeat = ctx.clock.setTimeout(beat, ctx.sseHeartbeatMs);
  };
  res.on('close', end);
  ctx.closing.addEventListener('abort', end, { once: true });
  if (ctx.closing.aborted) return end();
  cancelBeat = ctx.clock.setTimeout(beat, ctx.sseHeartbeatMs);
  try {
    unsub = await subscribe((e) => write(sseFrame(e)));
    if (ended) await unsub();
  } catch (err) {
    write(`: subscription failed: ${(err as Error).message.replace(/\n/g, ' ')}\n\n`);
    end();
  }
}
