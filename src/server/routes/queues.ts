/** Queue, worker and stats routes. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { QueueInfo, StateCounts, WorkerInfo } from '../../backend/backend.js';
import { MAX_DURATION_MS, MAX_QUEUE_CAP, MAX_QUEUE_WEIGHT } from '../../core/constants.js';
import { NotFoundError } from '../../core/errors.js';
import { JOB_STATES } from '../../core/job.js';
import { validateQueue } from '../../core/validate.js';
import type { ServerContext } from '../context.js';
import { queuesWithHealth } from '../queue-health.js';
import { throughputSince } from '../throughput.js';
import { AUTH_ERRORS, NameParams, Nullable, Time, errorResponses } from '../schemas/common.js';

const Counts = Type.Object(Object.fromEntries(JOB_STATES.map((s) => [s, Type.Integer()])), {
  additionalProperties: false,
  description: 'jobs by state',
});

const QueueSchema = Type.Object(
  {
    name: Type.String(),
    paused: Type.Boolean(),
    concurrency: Nullable(Type.Integer({ description: 'cluster-wide cap on running jobs' })),
    sizeCap: Nullable(Type.Integer({ description: 'cap on waiting jobs' })),
    sizePolicy: Type.Union([Type.Literal('reject'), Type.Literal('drop-oldest')]),
    timeoutMs: Nullable(Type.Integer({ description: 'timeout of each attempt of jobs that name none, ms' })),
    maxAttempts: Nullable(Type.Integer({ description: 'attempts of jobs that name none' })),
    weight: Nullable(Type.Integer({ description: 'weight for workers that name none for this queue' })),
    counts: Counts,
    oldestDueAt: Type.Optional(Nullable(Time)),
    latencyMs: Type.Optional(
      Nullable(Type.Number({ description: 'how long the oldest due job has waited, ms; null when none is due' })),
    ),
    workers: Type.Optional(Type.Integer({ description: 'live workers that take jobs from this queue' })),
  },
  { additionalProperties: false },
);

const QueueSettingsBody = Type.Object(
  {
    concurrency: Type.Optional(Nullable(Type.Integer({ description: `1-${MAX_QUEUE_CAP}` }))),
    sizeCap: Type.Optional(Nullable(Type.Integer({ description: `1-${MAX_QUEUE_CAP}` }))),
    sizePolicy: Type.Optional(Type.Union([Type.Literal('reject'), Type.Literal('drop-oldest')])),
    paused: Type.Optional(Type.Boolean()),
    timeoutMs: Type.Optional(
      Nullable(
        Type.Integer({
          description: `most one attempt may run, ms (1-${MAX_DURATION_MS}), for jobs enqueued without a timeout; null: none`,
        }),
      ),
    ),
    maxAttempts: Type.Optional(
      Nullable(Type.Integer({ description: 'attempts (1-1000) of jobs enqueued without maxAttempts; null: 25' })),
    ),
    weight: Type.Optional(
      Nullable(
        Type.Integer({
          description: `weight (1-${MAX_QUEUE_WEIGHT}) for workers that list this queue without one; null: 1`,
        }),
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
type QueueSettingsBody = Static<typeof QueueSettingsBody>;

const WorkerSchema = Type.Object(
  {
    id: Type.String(),
    host: Type.String(),
    pid: Type.Integer(),
    queues: Type.Array(Type.Object({ name: Type.String(), weight: Type.Number() }, { additionalProperties: false })),
    concurrency: Type.Integer(),
    running: Type.Array(Type.String()),
    startedAt: Time,
    lastSeenAt: Time,
    kind: Type.Optional(Type.String({ description: 'e.g. http for an HTTP worker' })),
  },
  { additionalProperties: false },
);

const StatsSchema = Type.Object(
  {
    engine: Type.String(),
    totals: Counts,
    queues: Type.Record(Type.String(), Counts),
    workers: Type.Integer({ description: 'registered workers' }),
    throughput: Type.Array(
      Type.Object({
        minute: Time,
        enqueued: Type.Integer({ description: 'seen by this server since it started' }),
        completed: Type.Integer(),
        failed: Type.Integer({ description: 'jobs failed for good' }),
        retried: Type.Integer({ description: 'failed attempts that will be retried, seen by this server' }),
      }),
      {
        description:
          'per minute, oldest first, the last hour: completed and failed counted by the engine from the jobs it keeps ' +
          '(or by this server from events, when it saw more: jobs deleted on completion)',
      },
    ),
  },
  { additionalProperties: false },
);

/** A worker registration as JSON. */
export function workerToJson(w: WorkerInfo): Static<typeof WorkerSchema> {
  return { ...w, startedAt: w.startedAt.toISOString(), lastSeenAt: w.lastSeenAt.toISOString() };
}

function totals(byQueue: Record<string, StateCounts>): StateCounts {
  const t = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as StateCounts;
  for (const c of Object.values(byQueue)) for (const s of JOB_STATES) t[s] += c[s] ?? 0;
  return t;
}

const queueRoute = (summary: string) => ({
  tags: ['queues'],
  summary,
  params: NameParams,
  response: { 200: QueueSchema, ...errorResponses(400, ...AUTH_ERRORS) },
});

/** Registers queue, worker and stats routes. */
export function registerQueueRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const list = {
    tags: ['queues'],
    summary: 'Every queue: counts by state, paused, caps',
    response: { 200: Type.Object({ queues: Type.Array(QueueSchema) }), ...errorResponses(...AUTH_ERRORS) },
  };
  app.get('/queues', { config: { role: 'read' }, schema: list }, async () => ({
    queues: await queuesWithHealth(await ctx.engine.get()),
  }));

  app.get<{ Params: { name: string } }>(
    '/queues/:name',
    {
      config: { role: 'read' },
      schema: {
        ...queueRoute('One queue'),
        response: { 200: QueueSchema, ...errorResponses(400, 404, ...AUTH_ERRORS) },
      },
    },
    async (request) => {
      const name = validateQueue(request.params.name);
      const q = (await queuesWithHealth(await ctx.engine.get())).find((x: QueueInfo) => x.name === name);
      if (!q) throw new NotFoundError('queue', name);
      return q;
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post<{ Params: { name: string } }>(
      `/queues/:name/${action}`,
      {
        config: { role: 'admin' },
        schema: queueRoute(action === 'pause' ? 'Stop claims from a queue' : 'Allow claims again'),
      },
      async (request) => {
        const client = await ctx.engine.get();
        const name = validateQueue(request.params.name);
        return action === 'pause' ? client.pause(name) : client.resume(name);
      },
    );
  }

  app.patch<{ Params: { name: string }; Body: QueueSettingsBody }>(
    '/queues/:name',
    {
      config: { role: 'admin' },
      schema: {
        ...queueRoute(
          'Change a queue: concurrency cap, size cap and policy, paused, and the defaults of its jobs and weight',
        ),
        body: QueueSettingsBody,
      },
    },
    async (request) => (await ctx.engine.get()).setQueue(request.params.name, request.body),
  );

  app.delete<{ Params: { name: string } }>(
    '/queues/:name',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['queues'],
        summary: 'Remove a queue without jobs (its pause and caps); 409 while it holds jobs',
        params: NameParams,
        response: { 204: Type.Null({ description: 'removed' }), ...errorResponses(400, 404, 409, ...AUTH_ERRORS) },
      },
    },
    async (request, reply) => {
      await (await ctx.engine.get()).removeQueue(request.params.name);
      return reply.code(204).send();
    },
  );

  app.get(
    '/workers',
    {
      config: { role: 'read' },
      schema: {
        tags: ['workers'],
        summary: 'Registered workers (TypeScript and HTTP)',
        response: { 200: Type.Object({ workers: Type.Array(WorkerSchema) }), ...errorResponses(...AUTH_ERRORS) },
      },
    },
    async () => ({ workers: (await (await ctx.engine.get()).workers()).map(workerToJson) }),
  );

  app.get(
    '/stats',
    {
      config: { role: 'read' },
      schema: {
        tags: ['stats'],
        summary: 'Totals, counts per queue, workers, throughput',
        response: { 200: StatsSchema, ...errorResponses(...AUTH_ERRORS) },
      },
    },
    async () => {
      const client = await ctx.engine.get();
      const [queues, workers] = await Promise.all([client.counts(), client.workers()]);
      return {
        engine: client.backend.name,
        totals: totals(queues),
        queues,
        workers: workers.length,
        throughput: await throughputSince(client, Object.keys(queues), ctx.metrics),
      };
    },
  );
}
