// The JobManager: a plain NATS client with no Gantry code. It submits three jobs to
// `<prefix>.submit.<queue>` (the HTTP API's enqueue JSON) and prints each job's final state as it
// arrives on `<prefix>.result.<queue>.<jobId>`. See README.md.
import { randomBytes } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';

const servers = (process.env.NATS_URL ?? 'nats://127.0.0.1:4222').replace(/^nats:\/\//, '').split(',');
const prefix = process.env.GANTRY_PREFIX ?? 'gantry';
const queue = process.env.JOB_QUEUE ?? 'jobs';
const work = ['Process Data A', 'Process Data B', 'Process Data C'];

const nc = await connect({ servers });
const js = jetstream(nc);
// Ids unique to this run, so the example can run again on the same server.
const run = randomBytes(4).toString('hex');
const numberOf = new Map(work.map((_, i) => [`job-${run}-${i + 1}`, i + 1]));
const statusOf = (state) => state.charAt(0).toUpperCase() + state.slice(1);

// Subscribe before submitting, so no result is missed.
const results = nc.subscribe(`${prefix}.result.${queue}.*`);
const done = (async () => {
  let left = work.length;
  for await (const m of results) {
    const r = m.json();
    const n = numberOf.get(r.id);
    if (n === undefined) continue;
    console.log(`Job ${n} completed with status: ${statusOf(r.state)}${r.result ? ` (${r.result.output})` : ''}`);
    if (--left === 0) break;
  }
})();

/** Publishes to the submit stream; until a Gantry process has made it, waits and tries again. */
async function submit(subject, body, h) {
  for (let waited = 0; ; waited += 500) {
    try {
      return await js.publish(subject, body, { headers: h });
    } catch (err) {
      if (waited >= 30_000 || !/no responders|not enabled/i.test(String(err))) throw err;
      if (waited === 0) console.log('waiting for a Gantry process to create the streams…');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

for (const [id, n] of numberOf) {
  const h = headers();
  h.set('Nats-Msg-Id', id); // the job's id; a repeated publish is stored once
  await submit(
    `${prefix}.submit.${queue}`,
    JSON.stringify({ type: 'process.data', payload: { data: work[n - 1] } }),
    h,
  );
  console.log(`Job ${n} submitted: ${work[n - 1]}`);
}

await done;
await nc.close();
