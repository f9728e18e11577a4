/** Job routes: enqueue (one, batch), list, get, cancel, retry, delete, and bulk actions by filter. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../core/errors.js';
import { jobToJson } from '../../core/serialize.js';
import { validateEnqueue, type EnqueueRequest } from '../../core/validate.js';
import type { ServerContext } from '../context.js';
import { AUTH_ERRORS, IdParams, errorResponses } from '../schemas/common.js';
import { listOptions } from './filters.js';
import { BatchBody, DeleteQuery, EnqueueBody, JobPage, ListQuery } from '../schemas/jobs.js';
import { registerBulkRoute } from './jobs-bulk.js';

const JobRef = Type.Ref('Job');

/** What the routes on one job say about `{id}`. */
const SHORT_IDS =
  '`{id}` is a job id or a short one: its last 8 or more characters, as the dashboard and `gantry dev` print ' +
  'them (`…1a2b3c4d`). A short id that several jobs end with is a 400 `AMBIGUOUS_ID` naming them.';

const ACTION_SUMMARIES = {
  cancel: 'Cancel a live job',
  retry: 'Run a finished job again with a fresh attempt budget',
  promote: 'Run a delayed or retrying job now (queued with runAt = now, attempts kept)',
} as const;

/** Registers the job routes under the current prefix. */
export function registerJobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: EnqueueBody }>(
    '/jobs',
    {
      config: { role: 'write' },
      schema: {
        tags: ['jobs'],
        summary: 'Enqueue one job',
        description: 'Enqueueing an existing `id` again returns that job (200) instead of creating one (201).',
        body: EnqueueBody,
        response: { 200: JobRef, 201: JobRef, ...errorResponses(400, 409, 413, 429, ...AUTH_ERRORS) },
      },
    },
    async (request, reply) => {
      // Validated here rather than through Client.enqueue to learn whether the job was created.
      const backend = await ctx.engine.backend();
      const job = validateEnqueue(request.body as EnqueueRequest, backend.clock.now());
      const [outcome] = await backend.jobsEnqueue({ jobs: [job] });
      return reply.code(outcome!.created ? 201 : 200).send(jobToJson(outcome!.job));
    },
  );

  app.post<{ Body: BatchBody }>(
    '/jobs/batch',
    {
      config: { role: 'write' },
      schema: {
        tags: ['jobs'],
        summary: 'Enqueue many jobs in one round trip, all or none',
        body: BatchBody,
        response: {
          201: Type.Object({ jobs: Type.Array(JobRef) }, { additionalProperties: false }),
          ...errorResponses(400, 409, 413, 429, ...AUTH_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const client = await ctx.engine.get();
      const jobs = await client.enqueueMany(request.body.jobs as EnqueueRequest[]);
      return reply.code(201).send({ jobs: jobs.map(jobToJson) });
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/jobs',
    {
      config: { role: 'read' },
      schema: {
        tags: ['jobs'],
        summary: 'List jobs, newest first, one page at a time',
        description:
          'Filters take one value, repeated values, or comma-separated values. Pass `nextCursor` as `cursor`.',
        querystring: ListQuery,
        response: { 200: JobPage, ...errorResponses(400, ...AUTH_ERRORS) },
      },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      const client = await ctx.engine.get();
      const page = await client.list({
        ...listOptions(filters),
        ...(limit === undefined ? {} : { limit: Number(limit) }),
        ...(cursor ? { cursor } : {}),
      });
      return { jobs: page.jobs.map(jobToJson), nextCursor: page.nextCursor };
    },
  );

  registerBulkRoute(app, ctx);
  registerOneJobRoutes(app, ctx);
}

/** Routes on one job by id. */
function registerOneJobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: IdParams }>(
    '/jobs/:id',
    {
      config: { role: 'read' },
      schema: {
        tags: ['jobs'],
        summary: 'Get one job',
        description: SHORT_IDS,
        params: IdParams,
        response: { 200: JobRef, ...errorResponses(400, 404, ...AUTH_ERRORS) },
      },
    },
    async (request) => {
      const job = await (await ctx.engine.get()).get(request.params.id);
      if (!job) throw notFound(request.params.id);
      return jobToJson(job);
    },
  );

  for (const action of ['cancel', 'retry', 'promote'] as const) {
    app.post<{ Params: IdParams }>(
      `/jobs/:id/${action}`,
      {
        config: { role: 'admin' },
        schema: {
          tags: ['jobs'],
          summary: ACTION_SUMMARIES[action],
          description: SHORT_IDS,
          params: IdParams,
          response: { 200: JobRef, ...errorResponses(400, 404, 409, ...AUTH_ERRORS) },
        },
      },
      async (request) => jobToJson(await (await ctx.engine.get())[action](request.params.id)),
    );
  }

  app.delete<{ Params: IdParams; Querystring: { force?: 'true' | 'false' } }>(
    '/jobs/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['jobs'],
        summary: 'Delete a job in a final state (any state with force=true)',
        description: SHORT_IDS,
        params: IdParams,
        querystring: DeleteQuery,
        response: { 204: Type.Null({ description: 'deleted' }), ...errorResponses(400, 404, 409, ...AUTH_ERRORS) },
      },
    },
    async (request, reply) => {
      await (await ctx.engine.get()).delete(request.params.id, { force: request.query.force === 'true' });
      return reply.code(204).send();
    },
  );
}

/** The 404 of a missing job. */
function notFound(id: string): Error {
  return new NotFoundError('job', id);
}
