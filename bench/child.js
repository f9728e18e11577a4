// A worker process of the harness: runs one system's consumer with no-op handlers and reports
// to the parent over IPC. Counts are sent every few ms (never per job, which would cost more
// than the job); in latency mode every handler start is sent at once with its timestamp.
import { systemOf } from './systems/index.js';
import { nowMs } from './lib/stats.js';

/** How often progress is reported, ms. */
const PROGRESS_MS = 5;
/** How often RSS is sampled when asked, ms. */
const RSS_MS = 100;

let consumer = null;
let mode = 'count';
let count = 0;
let first = null;
let last = null;
let reported = -1;
let progressTimer = null;
let rssTimer = null;
let rss = [];

function send(msg) {
  // With a callback a failed send (the parent is gone) is not an uncaught error; the
  // 'disconnect' handler below ends this process then.
  if (process.connected) process.send(msg, () => {});
}

function onJob(payload) {
  const at = nowMs();
  count++;
  first ??= at;
  last = at;
  if (mode === 'latency') send({ ev: 'job', i: payload?.i, t: payload?.t, at });
}

function sampleRss() {
  const m = process.memoryUsage();
  rss.push([nowMs(), m.rss, m.heapUsed]);
}

const handlers = {
  async init(msg) {
    mode = msg.mode ?? 'count';
    const system = await systemOf(msg.engine, msg.system);
    consumer = await system.consumer(msg.spec, { concurrency: msg.concurrency, onJob });
    return { ev: 'ready', rss: process.memoryUsage().rss };
  },
  async start(msg) {
    count = 0;
    first = null;
    last = null;
    reported = -1;
    rss = [];
    if (msg.sampleRss) {
      sampleRss();
      rssTimer = setInterval(sampleRss, RSS_MS);
    }
    await consumer.start();
    progressTimer = setInterval(() => {
      if (count !== reported) {
        reported = count;
        send({ ev: 'progress', count });
      }
    }, PROGRESS_MS);
    return { ev: 'started' };
  },
  async stop() {
    clearInterval(progressTimer);
    await consumer.stop();
    if (rssTimer) {
      clearInterval(rssTimer);
      rssTimer = null;
      sampleRss();
    }
    // maxRSS is in KiB: the true peak, including moments between two samples.
    return { ev: 'stopped', count, first, last, rss, maxRss: process.resourceUsage().maxRSS * 1024 };
  },
  async close() {
    await consumer?.close();
    return { ev: 'closed' };
  },
};

process.on('message', (msg) => {
  const handler = handlers[msg?.cmd];
  if (!handler) return send({ ev: 'error', message: `unknown command ${msg?.cmd}` });
  handler(msg).then(
    (reply) => {
      send(reply);
      if (msg.cmd === 'close') setTimeout(() => process.exit(0), 10);
    },
    (err) => send({ ev: 'error', message: err?.stack ?? String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ ev: 'alive' });
