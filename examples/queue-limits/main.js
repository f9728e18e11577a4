// Queues with their own limits, on the embedded SQLite engine: the limits are set on the queue
// TEST, not on each job or worker. Run: node main.js (GANTRY_URL to use another database).
import { Client, Maintenance, UnrecoverableError, Worker } from 'gantry';

const HOUR = 60 * 60 * 1000;
const client = await Client.connect({ url: process.env.GANTRY_URL ?? 'sqlite:./queue-limits.db', create: true });

// 1. The queue and its limits: max run time 60 min and max tries 100 for each job that names
//    none, max concurrent 100 across the cluster, priority (weight) 10 for every worker that
//    lists the queue without its own.
const queue = await client.setQueue('TEST', { timeoutMs: HOUR, maxAttempts: 100, concurrency: 100, weight: 10 });
console.log(
  `queue TEST: max run time ${queue.timeoutMs / 60_000} min, max tries ${queue.maxAttempts}, ` +
    `max concurrent ${queue.concurrency}, weight ${queue.weight}`,
);

// 2. A task with a payload and a deadline an hour ahead (not started by then: expired). The
//    unique key deduplicates: while it is live, the same key is refused.
const options = { queue: 'TEST', deadline: new Date(Date.now() + HOUR), uniqueKey: 'example:hello-world' };
const task = await client.enqueue('example', { hello: 'world' }, options);
console.log(`enqueued ${task.id}: timeout ${task.timeoutMs / 60_000} min, max attempts ${task.maxAttempts}`);
try {
  await client.enqueue('example', { hello: 'world' }, options);
} catch (err) {
  if (err.code !== 'UNIQUE_CONFLICT') throw err;
  console.log(`duplicate refused (${err.code}): the key is held by ${err.existingId}`);
}

// 3. A worker whose handler returns "done". It lists TEST without a weight: it takes the queue's.
const worker = new Worker({
  backend: client.backend,
  queues: ['TEST'],
  handlers: {
    example: async () => 'done',
    broken: async () => {
      throw new UnrecoverableError('this task can never succeed');
    },
  },
});
await worker.start();
const [me] = (await client.workers()).filter((w) => w.id === worker.id);
console.log(`worker takes TEST with weight ${me.queues[0].weight}`);
console.log(`result: ${JSON.stringify(await client.waitFor(task.id))}`);

// 4. Load the task by id and print its record.
console.log(JSON.stringify(await client.get(task.id), null, 2));

// 5. The dead-letter view: failed and expired jobs.
const broken = await client.enqueue('broken', { hello: 'dead letter' }, { queue: 'TEST' });
await client.waitFor(broken.id).catch(() => undefined);
const dead = await client.list({ queue: 'TEST', state: ['failed', 'expired'] });
for (const j of dead.jobs) console.log(`dead letter: ${j.id} ${j.type} ${j.state}: ${j.errors.at(-1)?.message}`);
await worker.stop();

// 6. Retention: maintenance deletes finished jobs after a while (7 days for completed ones by
//    default; `gantry worker --retain-completed 1d` or GANTRY_RETAIN_COMPLETED). Here 1 ms.
const maintenance = new Maintenance({ backend: client.backend, retention: { completedMs: 1 } });
const report = await maintenance.runOnce({ prune: true });
console.log(
  `retention deleted ${report.pruned} finished job(s); the task is ${(await client.get(task.id)) ? 'still there' : 'gone'}`,
);
await client.close();
