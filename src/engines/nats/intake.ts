/**
 * Enqueue by any NATS client, with no Gantry code (docs/nats.md): the HTTP API's enqueue JSON
 * published to `<prefix>.submit.<queue>` (a work-queue stream that every claiming Gantry process
 * reads through one durable consumer), or sent as a request to `<prefix>.api.enqueue` (a queue
 * group of the same processes), which answers `{id, state, created}` or `{error: {code, message}}`
 * with the HTTP API's codes. Both are validated by the core exactly as the HTTP API does.
 */
import { AckPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { GantryError, ValidationError } from '../../core/errors.js';
import { validateEnqueue, type EnqueueRequest } from '../../core/validate.js';
import { isUnavailable } from './connection.js';
import type { Ctx } from './context.js';
import { jobsEnqueue } from './jobs-enqueue.js';

/** Submissions handled at once by one process. */
const INTAKE_CONCURRENCY = 64;
/** How long a submission waits before it is tried again while the engine is unreachable, ms. */
const INTAKE_RETRY_MS = 1_000;
/** What an id may hold (the core's rule for ids): a `Nats-Msg-Id` that fits is the job's id. */
const ID_CHARS = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The running intake of one backend. */
export interface Intake {
  messages: ConsumerMessages;
  api: Subscription;
}

/** The request a submission carries, with its queue from the subject and its id. */
function requestOf(body: unknown, queue: string | undefined, fallbackId: string | undefined): EnqueueRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError(
      'a submission is the JSON object of the HTTP API’s enqueue body: {"type": …, "payload": …}',
    );
  }
  const req = { ...(body as EnqueueRequest) };
  if (queue !== undefined) req.queue = queue;
  if (req.id === undefined && fallbackId !== undefined) req.id = fallbackId;
  return req;
}

/** Enqueues one request; answers what a requester is told. */
async function enqueueOne(ctx: Ctx, req: EnqueueRequest): Promise<{ id: string; state: string; created: boolean }> {
  const job = validateEnqueue(req, ctx.now());
  const [outcome] = await jobsEnqueue(ctx, { jobs: [job] });
  return { id: outcome!.job.id, state: outcome!.job.state, created: outcome!.created };
}

/** Handles one durable submission: acked once enqueued (or refused), handed back while the engine is away. */
async function submission(ctx: Ctx, m: JsMsg): Promise<void> {
  const queue = m.subject.slice(`${ctx.n.prefix}.submit.`.length);
  const msgId = m.headers?.get('Nats-Msg-Id');
  // A redelivered submission gets the same id, so it enqueues once.
  const id = msgId && ID_CHARS.test(msgId) ? msgId : `submit-${m.seq}-${m.info.timestampNanos}`;
  try {
    await enqueueOne(ctx, requestOf(JSON.parse(m.string()), queue, id));
    m.ack();
  } catch (err) {
    if (isUnavailable(err)) return m.nak(INTAKE_RETRY_MS);
    // Refused (invalid, unique key held, queue full): it would be refused again. Its refusal
    // is the submission's result message (state `rejected`), then it is dropped.
    await publishRefusal(ctx, queue, id, err).catch((e: unknown) => ctx.onBackgroundError?.(e));
    m.ack();
  }
}

/** The error a refusal is reported with: the API's code and message. */
function errorOf(err: unknown): { code: string; message: string } {
  const code = err instanceof GantryError ? err.code : err instanceof SyntaxError ? 'VALIDATION' : 'INTERNAL';
  return { code, message: (err as Error).message };
}

/** Publishes the result message of a refused submission (state `rejected`, no job was made). */
async function publishRefusal(ctx: Ctx, queue: string, id: string, err: unknown): Promise<void> {
  const msg = {
    id,
    type: null,
    queue,
    state: 'rejected',
    result: null,
    error: errorOf(err),
    attempts: 0,
    finishedAt: null,
  };
  await ctx.js.publish(ctx.n.result(queue, id), JSON.stringify(msg));
}

/** Answers one request-reply enqueue. */
async function request(ctx: Ctx, m: Msg): Promise<void> {
  try {
    m.respond(JSON.stringify(await enqueueOne(ctx, requestOf(m.json(), undefined, undefined))));
  } catch (err) {
    m.respond(JSON.stringify({ error: errorOf(err) }));
  }
}

/** Starts reading submissions and answering enqueue requests (once per backend). */
export async function startIntake(ctx: Ctx): Promise<Intake> {
  await ctx.jsm.consumers.add(ctx.n.submitStream, {
    durable_name: ctx.n.submitConsumer,
    filter_subject: `${ctx.n.prefix}.submit.>`,
    ack_policy: AckPolicy.Explicit,
    ack_wait: 30_000_000_000,
    max_deliver: -1,
  });
  const consumer = await ctx.js.consumers.get(ctx.n.submitStream, ctx.n.submitConsumer);
  const messages = await consumer.consume({ max_messages: INTAKE_CONCURRENCY });
  void (async () => {
    const running = new Set<Promise<void>>();
    for await (const m of messages) {
      const p: Promise<void> = submission(ctx, m).finally(() => running.delete(p));
      running.add(p);
      if (running.size >= INTAKE_CONCURRENCY) await Promise.race(running);
    }
  })();
  const api = ctx.nc.subscribe(ctx.n.apiEnqueue, { queue: 'gantry', callback: (_err, m) => void request(ctx, m) });
  return { messages, api };
}
