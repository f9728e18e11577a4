// The JobWorker: a Gantry worker on NATS JetStream that works each `process.data` job for
// about two seconds. GANTRY_URL names the NATS servers (and the prefix). See README.md.
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'gantry';

const worker = new Worker({
  url: process.env.GANTRY_URL ?? 'nats://127.0.0.1:4222',
  queues: [process.env.JOB_QUEUE ?? 'jobs'],
  concurrency: 3,
  handlers: {
    'process.data': async (job, { signal }) => {
      console.log(`working on ${job.payload.data} (job ${job.id})`);
      await sleep(Number(process.env.WORK_MS ?? 2000), undefined, { signal });
      return { output: `${job.payload.data}: done` };
    },
  },
});

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void worker.stop());
await worker.start();
console.log('worker ready');
