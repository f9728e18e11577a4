// Raw JetStream on the same server, no state beyond the stream: a work-queue stream, `publish`
// to enqueue (awaiting each acknowledgement, batches as concurrent publishes), one durable pull
// consumer read with `consume()`, each message handed to the no-op work and acknowledged. This
// is the floor under Gantry on NATS: publish, and fetch + ack.
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { dropPrefix, freshPrefix } from '../lib/nats.js';

const serversOf = (url) =>
  url
    .replace(/^nats:\/\//, '')
    .split('?')[0]
    .split(',');

/** Raw JetStream: one work-queue stream per run. */
export const jetstreamRaw = {
  name: 'jetstream',
  engine: 'nats',
  settings:
    'work-queue stream, publish with ack, durable pull consumer via consume() (max_messages max(concurrency, 100)), explicit ack per message',

  async create(ctx) {
    const prefix = freshPrefix('raw');
    const spec = { natsUrl: ctx.natsUrl, prefix, stream: `${prefix.toUpperCase()}_JOBS`, subject: `${prefix}.jobs` };
    const nc = await connect({ servers: serversOf(spec.natsUrl) });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({
      name: spec.stream,
      subjects: [spec.subject],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    });
    await jsm.consumers.add(spec.stream, {
      durable_name: 'workers',
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: -1,
    });
    await nc.close();
    return spec;
  },

  async destroy(spec) {
    await dropPrefix(spec.natsUrl, spec.prefix);
  },

  async producer(spec) {
    const nc = await connect({ servers: serversOf(spec.natsUrl) });
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    return {
      one: (payload) => js.publish(spec.subject, JSON.stringify(payload)),
      many: (payloads) => Promise.all(payloads.map((p) => js.publish(spec.subject, JSON.stringify(p)))),
      pending: async () => (await jsm.streams.info(spec.stream)).state.messages,
      close: () => nc.close(),
    };
  },

  async consumer(spec, { concurrency, onJob }) {
    const nc = await connect({ servers: serversOf(spec.natsUrl) });
    const js = jetstream(nc);
    let messages = null;
    return {
      async start() {
        const consumer = await js.consumers.get(spec.stream, 'workers');
        messages = await consumer.consume({
          max_messages: Math.max(concurrency, 100),
          callback: (m) => {
            onJob(m.json());
            m.ack();
          },
        });
      },
      async stop() {
        await messages?.close();
        messages = null;
      },
      close: () => nc.close(),
    };
  },
};
