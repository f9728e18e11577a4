// Enqueues the five demo jobs once: three high priority, two regular. Their ids are fixed, so a
// second run finds them and enqueues nothing (enqueue is idempotent on the id).
//   GANTRY_URL=postgres://localhost/jobs node seed.js
import { Client } from 'gantry';

const stepMs = Number(process.env.DEMO_STEP_MS ?? 1000);
const DEMO = [
  { id: 'demo-regular-1', priority: 'normal' },
  { id: 'demo-high-1', priority: 'high' },
  { id: 'demo-regular-2', priority: 'normal' },
  { id: 'demo-high-2', priority: 'high' },
  { id: 'demo-high-3', priority: 'high' },
];

const client = await Client.connect({ url: process.env.GANTRY_URL, create: true });
try {
  if (await client.get(DEMO[0].id)) {
    console.log('demo jobs were enqueued on an earlier start');
  } else {
    for (const { id, priority } of DEMO) {
      await client.enqueue('demo', { name: id, stepMs }, { id, priority });
      console.log(`enqueued ${id} (${priority} priority)`);
    }
  }
} finally {
  await client.close();
}
