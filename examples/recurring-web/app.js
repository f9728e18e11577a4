// A small Fastify app that enqueues `hello` jobs now or at a given time, and keeps a recurring
// `every 1 minutes` schedule. Workers run elsewhere (see README.md).
//   GANTRY_URL=sqlite:./jobs.db PORT=3000 node app.js
import Fastify from 'fastify';
import { Client } from 'gantry';

const client = await Client.connect({ url: process.env.GANTRY_URL, create: true });

// Lanes are queues with weights: a worker that lists both takes 5 interactive jobs for 1
// background one while both have work, and never starves either.
await client.setQueue('interactive', { weight: 5 });
await client.setQueue('background', { weight: 1 });
// Natural language: one job a minute across the whole cluster, however many schedulers run.
await client.schedules.set('hello-every-minute', 'every 1 minutes', {
  type: 'hello',
  queue: 'background',
  payload: { Name: 'every minute' },
});

const app = Fastify({ logger: false });
const nameBody = {
  type: 'object',
  required: ['Name'],
  properties: { Name: { type: 'string', minLength: 1, maxLength: 200 } },
};

/** Enqueue `hello` with `{ Name }` now. */
app.post('/schedule-job', { schema: { body: nameBody } }, async (request, reply) => {
  const job = await client.enqueue('hello', { Name: request.body.Name }, { queue: 'interactive' });
  return reply.code(201).send({ id: job.id, state: job.state });
});

/** Enqueue `hello` with `{ Name }` to run at `at` (an ISO time). */
app.post(
  '/schedule-job-at',
  {
    schema: {
      body: { ...nameBody, required: ['Name', 'at'], properties: { ...nameBody.properties, at: { type: 'string' } } },
    },
  },
  async (request, reply) => {
    const { Name, at } = request.body;
    const job = await client.enqueue('hello', { Name }, { queue: 'interactive', runAt: at });
    return reply.code(201).send({ id: job.id, state: job.state, runAt: job.runAt });
  },
);

/** A job as stored: its state, result, times. */
app.get('/jobs/:id', async (request, reply) => {
  const job = await client.get(request.params.id);
  return job ?? reply.code(404).send({ error: 'no such job' });
});

// Gantry's errors (a bad `at`, …) say what is wrong; send them as 400s.
app.setErrorHandler((err, _request, reply) => {
  const status = err.statusCode ?? (err.code === 'VALIDATION' ? 400 : 500);
  return reply.code(status).send({ error: err.message });
});

const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
console.log(`listening on ${address}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await app.close();
    await client.close();
  });
}
