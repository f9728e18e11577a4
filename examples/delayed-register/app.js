// Delayed jobs over an authenticated endpoint, on Redis: POST /api/dm-jobqueue/register enqueues
// a `dm.message` job that runs after `delay_seconds`; `gantry worker --handlers ./handlers.js`
// prints it. See README.md.
//   API_TOKEN=secret GANTRY_URL=redis://127.0.0.1:6379 PORT=3000 node app.js
import { timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { Client, EngineUnavailableError } from 'gantry';

const DEFAULT_DELAY_SECONDS = 180;
const DEFAULT_MAX_RETRY = 10;
const MAX_DELAY_SECONDS = 365 * 24 * 3600;

const token = process.env.API_TOKEN;
if (!token) {
  console.error('set API_TOKEN: the bearer token callers must send (Authorization: Bearer <token>)');
  process.exit(1);
}

const client = await Client.connect({ url: process.env.GANTRY_URL ?? 'redis://127.0.0.1:6379' });
const app = Fastify({ logger: false, ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } });

/** True when the request carries `Authorization: Bearer <API_TOKEN>` (compared in constant time). */
function authorized(header) {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

// Before the body is read: an unauthenticated caller learns nothing about what it sent.
app.addHook('onRequest', async (request, reply) => {
  if (!authorized(request.headers.authorization)) {
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: 'unauthorized', message: 'send Authorization: Bearer <token>' });
  }
});

const registerBody = {
  type: 'object',
  required: ['message'],
  additionalProperties: false,
  properties: {
    message: { type: 'string', minLength: 1, maxLength: 10_000 },
    delay_seconds: { type: 'number', minimum: 0, maximum: MAX_DELAY_SECONDS, default: DEFAULT_DELAY_SECONDS },
    max_retry: { type: 'integer', minimum: 0, maximum: 999, default: DEFAULT_MAX_RETRY },
  },
};

/** Registers `message` to be printed after `delay_seconds`, retried up to `max_retry` times. */
app.post('/api/dm-jobqueue/register', { schema: { body: registerBody } }, async (request, reply) => {
  const { message, delay_seconds, max_retry } = request.body;
  const job = await client.enqueue(
    'dm.message',
    { message },
    // max_retry counts retries; Gantry's maxAttempts counts the first attempt too.
    { delay: Math.round(delay_seconds * 1000), maxAttempts: max_retry + 1 },
  );
  return reply.code(201).send({ job_id: job.id, status: 'registered' });
});

/** Fastify's validation errors as one line naming each field, e.g. `delay_seconds: must be >= 0`. */
function explain(validation) {
  const fields = Object.keys(registerBody.properties).join(', ');
  return validation
    .map((v) => {
      if (v.keyword === 'required') return `${v.params.missingProperty}: required`;
      if (v.keyword === 'additionalProperties') return `${v.params.additionalProperty}: unknown field (send ${fields})`;
      return `${v.instancePath.replace(/^\//, '') || 'body'}: ${v.message}`;
    })
    .join('; ');
}

app.setErrorHandler((err, _request, reply) => {
  // Redis is down: say so; the client reconnects by itself and the next call may succeed.
  if (err instanceof EngineUnavailableError) {
    return reply.code(503).header('retry-after', '1').send({ error: 'unavailable', message: err.message });
  }
  if (err.validation) return reply.code(400).send({ error: 'bad request', message: explain(err.validation) });
  // Unreadable JSON, a body that is too large, …: Fastify's own status and words.
  if (err.statusCode && err.statusCode < 500)
    return reply.code(err.statusCode).send({ error: 'bad request', message: err.message });
  console.error(err);
  return reply.code(500).send({ error: 'internal error' });
});

const address = await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
console.log(`listening on ${address}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await app.close();
    await client.close();
  });
}
