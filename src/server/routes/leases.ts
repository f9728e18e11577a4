/** The job calls of an HTTP worker: heartbeat, progress, complete, fail; each fenced on its lease. */
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Backend } from '../../backend/backend.js';
import { DEFAULT_LEASE_MS } from '../../core/constants.js';
import { LeaseLostError } from '../../core/errors.js';
import { completedJob } from '../../core/job.js';
import { completeItem, failItem } from '../../core/outcome-items.js';
import { jobToJson } from '../../core/serialize.js';
import { checkResult, validateProgress, validateReportedError } from '../../core/validate.js';
import type { ServerContext } from '../context.js';
import { resolveFence, type Fence, type HttpWorkers } from '../http-workers.js';
import { AUTH_ERRORS, IdParams, errorResponses } from '../schemas/common.js';

/** The fields every worker call may carry to fence itself exactly. */
const fenceFields = {
  worker: Type.Optional(Type.String({ maxLength: 128, description: 'the workerId the claim returned' })),
  attempt: Type.Optional(Type.Integer({ minimum: 1, description: 'the job attempts the claim returned' })),
};

const body = <T extends TProperties>(props: T) =>
  Type.Object({ ...props, ...fenceFields }, { additionalProperties: false });

const HeartbeatBody = body({
  leaseMs: Type.Optional(
    Type.Integer({ minimum: 100, maximum: 3_600_000, description: `default ${DEFAULT_LEASE_MS}` }),
  ),
});
const ProgressBody = body({
  percent: Type.Number({ minimum: 0, maximum: 100 }),
  message: Type.Optional(Type.String({ maxLength: 1000 })),
});
const CompleteBody = body({ result: Type.Optional(Type.Unknown({ description: 'any JSON value' })) });
const FailBody = body({
  error: Type.Object(
    {
      message: Type.String({ maxLength: 10_000 }),
      stack: Type.Optional(Type.String({ maxLength: 100_000 })),
      code: Type.Optional(Type.String({ maxLength: 128 })),
    },
    { additionalProperties: false },
  ),
  retryable: Type.Optional(Type.Boolean({ description: 'false sends the job to failed at once; default true' })),
});

type Handler<B> = (backend: Backend, fence: Fence, body: B) => Promise<boolean>;

/** Handlers by route: each applies one fenced change and says whether it was applied. */
function handlers(ctx: ServerContext): {
  heartbeat: Handler<Static<typeof HeartbeatBody>>;
  progress: Handler<Static<typeof ProgressBody>>;
  complete: Handler<Static<typeof CompleteBody>>;
  fail: Handler<Static<typeof FailBody>>;
} {
  return {
    heartbeat: async (b, f, body) => {
      const { lost } = await b.jobsLeaseRenew({
        workerId: f.workerId,
        ids: [f.job.id],
        leaseMs: body.leaseMs ?? DEFAULT_LEASE_MS,
      });
      return lost.length === 0;
    },
    progress: async (b, f, body) =>
      b.jobProgress({ id: f.job.id, workerId: f.workerId, progress: validateProgress(body.percent, body.message) }),
    complete: async (b, f, body) => {
      // The result limit of every path (a TypeScript worker's too): a 413 or 400 that says why.
      checkResult(body.result ?? null);
      const item = completeItem({ ...f.job, attempts: f.attempt }, f.workerId, body.result ?? null);
      return (await b.jobsComplete({ items: [item] })).lost.length === 0;
    },
    fail: async (b, f, body) => {
      const item = failItem({
        job: { ...f.job, attempts: f.attempt },
        workerId: f.workerId,
        failure: validateReportedError(body.error),
        now: ctx.clock.now(),
        retry: body.retryable === false ? 'never' : 'decide',
      });
      return (await b.jobsFail({ items: [item] })).lost.length === 0;
    },
  };
}

const SUMMARIES = {
  heartbeat: 'Renew the lease of a claimed job',
  progress: 'Report progress (0-100) of a claimed job',
  complete: 'Complete a claimed job with its result',
  fail: 'Fail the attempt of a claimed job (retried per its backoff unless retryable is false)',
};

/** Registers heartbeat, progress, complete and fail. */
export function registerLeaseRoutes(app: FastifyInstance, ctx: ServerContext, workers: HttpWorkers): void {
  const h = handlers(ctx);
  const schemas = { heartbeat: HeartbeatBody, progress: ProgressBody, complete: CompleteBody, fail: FailBody };
  for (const action of ['heartbeat', 'progress', 'complete', 'fail'] as const) {
    app.post(
      `/jobs/:id/${action}`,
      {
        config: { role: 'write' },
        // A bodiless POST (curl -X POST) means "no options" for the calls where all are optional.
        preValidation: async (request: FastifyRequest) => {
          if (request.body === undefined || request.body === null) request.body = {};
        },
        schema: {
          tags: ['http workers'],
          summary: SUMMARIES[action],
          params: IdParams,
          body: schemas[action],
          response: { 200: Type.Ref('Job'), ...errorResponses(400, 404, 409, 413, ...AUTH_ERRORS) },
        },
      },
      async (request) => {
        const { id } = request.params as IdParams;
        const b = request.body as Static<(typeof schemas)[typeof action]> & { worker?: string; attempt?: number };
        const backend = await ctx.engine.backend();
        const fence = await resolveFence(backend, id, b);
        const applied = await (h[action] as Handler<typeof b>)(backend, fence, b);
        if (!applied) throw new LeaseLostError(id, fence.workerId);
        const done = action === 'complete' || action === 'fail' ? { done: id } : {};
        if (workers.has(fence.workerId)) await workers.touch(backend, fence.workerId, done);
        const job = await backend.jobGet({ id });
        if (job) return jobToJson(job);
        // Deleted on completion (deleteOnComplete): answer with what it became.
        if (action === 'complete')
          return jobToJson(completedJob(fence.job, (b as { result?: unknown }).result, new Date(ctx.clock.now())));
        return jobToJson(fence.job);
      },
    );
  }
}
