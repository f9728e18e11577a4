/**
 * Workers in any language: `POST /claims` long-polls for jobs; `…/heartbeat`, `…/progress`,
 * `…/complete` and `…/fail` report on one job, fenced on the claim (409 once the caller no
 * longer holds the lease). Same leases and recovery as the TypeScript worker.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Backend } from '../../backend/backend.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_LEASE_MS, DEFAULT_QUEUE, MAX_CLAIM_BATCH } from '../../core/constants.js';
import { MAX_CLAIM_WAIT_MS } from '../constants.js';
import { ValidationError } from '../../core/errors.js';
import type { Job } from '../../core/job.js';
import { jobToJson } from '../../core/serialize.js';
import { validateQueue, validateType } from '../../core/validate.js';
import type { ServerContext } from '../context.js';
import { HttpWorkers, workerIdOf } from '../http-workers.js';
import { AUTH_ERRORS, Name, errorResponses } from '../schemas/common.js';
import { registerLeaseRoutes } from './leases.js';

const ClaimBody = Type.Object(
  {
    types: Type.Optional(Type.Array(Name('a job type'), { maxItems: 100 })),
    queues: Type.Optional(Type.Array(Name('a queue'), { maxItems: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CLAIM_BATCH, description: 'default 1' })),
    waitMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_CLAIM_WAIT_MS, description: 'long poll, default 0' }),
    ),
    worker: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'a stable, unique worker name' })),
    leaseMs: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 3_600_000, description: `default ${DEFAULT_LEASE_MS}` }),
    ),
  },
  { additionalProperties: false },
);
type ClaimBody = Static<typeof ClaimBody>;

const ClaimResult = Type.Object(
  {
    workerId: Type.String({ description: 'pass it back as `worker` on the job calls' }),
    jobs: Type.Array(Type.Ref('Job')),
  },
  { additionalProperties: false },
);

/** What one claim call asks for, checked. */
interface ClaimPlan {
  workerId: string;
  queues: string[] | null;
  types?: string[];
  limit: number;
  leaseMs: number;
  waitMs: number;
}

function plan(body: ClaimBody, address: string): ClaimPlan {
  if (!body.types?.length && !body.queues?.length) {
    throw new ValidationError('give types or queues (or both) to say which jobs this worker runs');
  }
  const types = body.types?.map(validateType);
  return {
    workerId: workerIdOf(body.worker, address),
    queues: body.queues?.length ? body.queues.map(validateQueue) : null,
    ...(types ? { types } : {}),
    limit: body.limit ?? 1,
    leaseMs: body.leaseMs ?? DEFAULT_LEASE_MS,
    waitMs: body.waitMs ?? 0,
  };
}

/** Every known queue, for a worker that named only types. */
async function allQueues(backend: Backend): Promise<string[]> {
  const names = (await backend.queuesList()).map((q) => q.name);
  return names.includes(DEFAULT_QUEUE) ? names : [DEFAULT_QUEUE, ...names];
}

/** Aborts when the caller hangs up or the server starts closing. */
function callerGone(reply: FastifyReply, closing: AbortSignal): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) ac.abort();
  });
  return AbortSignal.any([ac.signal, closing]);
}

/**
 * Claims until jobs come or `waitMs` passes, sleeping on the engine's wake-ups in slices no
 * longer than a heartbeat so the worker's registration stays fresh during a long poll.
 */
async function claimLoop(
  backend: Backend,
  ctx: ServerContext,
  workers: HttpWorkers,
  p: ClaimPlan,
  host: string,
  signal: AbortSignal,
): Promise<Job[]> {
  const deadline = ctx.clock.now() + p.waitMs;
  for (;;) {
    const queues = p.queues ?? (await allQueues(backend));
    await workers.touch(backend, p.workerId, { host, queues, limit: p.limit });
    if (signal.aborted) return [];
    const jobs = await backend.jobsClaim({
      workerId: p.workerId,
      queues,
      ...(p.types ? { types: p.types } : {}),
      limit: p.limit,
      leaseMs: p.leaseMs,
    });
    const remaining = deadline - ctx.clock.now();
    if (jobs.length > 0 || remaining <= 0 || signal.aborted) return jobs;
    await backend.workAwait({ queues, timeoutMs: Math.min(remaining, DEFAULT_HEARTBEAT_MS), signal });
  }
}

/** Registers the HTTP worker routes. */
export function registerClaimRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const workers = new HttpWorkers(ctx.clock);
  app.post<{ Body: ClaimBody }>(
    '/claims',
    {
      config: { role: 'write' },
      schema: {
        tags: ['http workers'],
        summary: 'Claim jobs (long poll)',
        description:
          'Answers as soon as jobs are claimed, or with `jobs: []` after `waitMs`. Each job is leased to ' +
          '`workerId` until `leaseUntil`: renew with /heartbeat, then /complete or /fail it, passing ' +
          '`worker` (the workerId) and `attempt` (the job attempts) to fence the call.',
        body: ClaimBody,
        response: { 200: ClaimResult, ...errorResponses(400, ...AUTH_ERRORS) },
      },
    },
    async (request: FastifyRequest<{ Body: ClaimBody }>, reply) => {
      const p = plan(request.body, request.ip);
      const backend = await ctx.engine.backend();
      const jobs = await claimLoop(backend, ctx, workers, p, request.ip, callerGone(reply, ctx.closing));
      if (jobs.length) await workers.touch(backend, p.workerId, { claimed: jobs.map((j) => j.id) });
      return { workerId: p.workerId, jobs: jobs.map(jobToJson) };
    },
  );
  registerLeaseRoutes(app, ctx, workers);
}
