/** Schedule routes: list with next fire times, create/replace, delete, pause, resume, trigger, preview. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ScheduleClient } from '../../client/schedules.js';
import { NotFoundError } from '../../core/errors.js';
import { jobToJson } from '../../core/serialize.js';
import { scheduleToJson } from '../../scheduler/json.js';
import type { ServerContext } from '../context.js';
import { lastRun } from '../schedule-runs.js';
import { AUTH_ERRORS, JobStateSchema, Name, NameParams, Nullable, Time, errorResponses } from '../schemas/common.js';

const Misfire = Type.Union([Type.Literal('skip'), Type.Literal('once'), Type.Literal('all')]);

const Template = Type.Object(
  {
    type: Name('the job type'),
    queue: Type.Optional(Name('the queue')),
    payload: Type.Optional(Type.Unknown()),
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'enqueue options of each job' })),
  },
  { additionalProperties: false },
);

const ScheduleSchema = Type.Object(
  {
    name: Type.String(),
    spec: Type.String({ description: 'cron expression or phrase like "every 15 minutes"' }),
    timezone: Nullable(Type.String()),
    template: Type.Object({}, { additionalProperties: true }),
    paused: Type.Boolean(),
    misfire: Misfire,
    lastFireAt: Nullable(Time),
    nextFireAt: Nullable(Time),
    createdAt: Time,
    updatedAt: Time,
    nextFireTimes: Type.Optional(Type.Array(Time)),
    lastRun: Type.Optional(
      Nullable(
        Type.Object(
          { jobId: Type.String(), state: JobStateSchema, at: Time },
          {
            additionalProperties: false,
            description: 'the newest job the schedule enqueued (fired or triggered) and its state',
          },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

const PutBody = Type.Object(
  {
    spec: Type.String({ minLength: 1, maxLength: 500 }),
    template: Template,
    timezone: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    misfire: Type.Optional(Misfire),
    paused: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
type PutBody = Static<typeof PutBody>;

const NextQuery = Type.Object(
  { next: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'fire times to list (default 3)' })) },
  { additionalProperties: false },
);

const PreviewQuery = Type.Object(
  {
    spec: Type.String({ minLength: 1, maxLength: 500 }),
    n: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

const one = { 200: ScheduleSchema, ...errorResponses(400, 404, ...AUTH_ERRORS) };

/** Registers the schedule routes. */
export function registerScheduleRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const schedules = async (): Promise<ScheduleClient> => new ScheduleClient((await ctx.engine.get()).backend);
  const tags = ['schedules'];

  app.get<{ Querystring: { next?: string } }>(
    '/schedules',
    {
      config: { role: 'read' },
      schema: {
        tags,
        summary: 'Every schedule with its next fire times',
        querystring: NextQuery,
        response: {
          200: Type.Object({ schedules: Type.Array(ScheduleSchema) }),
          ...errorResponses(400, ...AUTH_ERRORS),
        },
      },
    },
    async (request) => {
      const client = await ctx.engine.get();
      const list = await new ScheduleClient(client.backend).list({ next: Number(request.query.next ?? 3) });
      const runs = await Promise.all(list.map((s) => lastRun(client, s)));
      return { schedules: list.map((s, i) => ({ ...scheduleToJson(s), lastRun: runs[i] ?? null })) };
    },
  );

  app.get<{ Querystring: { spec: string; n?: string; timezone?: string } }>(
    '/schedules/preview',
    {
      config: { role: 'read' },
      schema: {
        tags,
        summary: 'The next fire times of a spec, without storing it',
        querystring: PreviewQuery,
        response: { 200: Type.Object({ times: Type.Array(Time) }), ...errorResponses(400, ...AUTH_ERRORS) },
      },
    },
    async (request) => {
      const q = request.query;
      const times = (await schedules()).preview(q.spec, Number(q.n ?? 5), q.timezone ?? null);
      return { times: times.map((d) => d.toISOString()) };
    },
  );

  app.get<{ Params: { name: string }; Querystring: { next?: string } }>(
    '/schedules/:name',
    {
      config: { role: 'read' },
      schema: { tags, summary: 'One schedule', params: NameParams, querystring: NextQuery, response: one },
    },
    async (request) => {
      const client = await ctx.engine.get();
      const s = await new ScheduleClient(client.backend).get(request.params.name, {
        next: Number(request.query.next ?? 3),
      });
      if (!s) throw new NotFoundError('schedule', request.params.name);
      return { ...scheduleToJson(s), lastRun: await lastRun(client, s) };
    },
  );

  app.put<{ Params: { name: string }; Body: PutBody }>(
    '/schedules/:name',
    {
      config: { role: 'admin' },
      schema: { tags, summary: 'Create or replace a schedule', params: NameParams, body: PutBody, response: one },
    },
    async (request) => {
      const { spec, template, ...options } = request.body;
      return scheduleToJson(await (await schedules()).set(request.params.name, spec, template, options));
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/schedules/:name',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Remove a schedule (jobs it enqueued stay)',
        params: NameParams,
        response: { 204: Type.Null(), ...errorResponses(404, ...AUTH_ERRORS) },
      },
    },
    async (request, reply) => {
      if (!(await (await schedules()).remove(request.params.name)))
        throw new NotFoundError('schedule', request.params.name);
      return reply.code(204).send();
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post<{ Params: { name: string } }>(
      `/schedules/:name/${action}`,
      {
        config: { role: 'admin' },
        schema: {
          tags,
          summary: action === 'pause' ? 'Stop a schedule from firing' : 'Let a schedule fire again',
          params: NameParams,
          response: one,
        },
      },
      async (request) => scheduleToJson(await (await schedules())[action](request.params.name)),
    );
  }

  app.post<{ Params: { name: string } }>(
    '/schedules/:name/trigger',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Enqueue the schedule job now',
        params: NameParams,
        response: { 201: Type.Ref('Job'), ...errorResponses(404, ...AUTH_ERRORS) },
      },
    },
    async (request, reply) => reply.code(201).send(jobToJson(await (await schedules()).trigger(request.params.name))),
  );
}
