/** NATS helpers of the tests: deleting every stream (and so every KV bucket) of a prefix. */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** Deletes the streams and KV buckets whose names the engine made from `prefix`. */
export async function dropNatsPrefix(url: string, prefix: string): Promise<void> {
  const nc = await connect({
    servers: url
      .replace(/^nats:\/\//, '')
      .split('?')[0]!
      .split(','),
  });
  try {
    const jsm = await jetstreamManager(nc);
    const up = prefix.toUpperCase().replace(/-/g, '_');
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${up}_`) || name.startsWith(`KV_${prefix}-`))
        await jsm.streams.delete(name).catch(() => false);
    }
  } finally {
    await nc.close();
  }
}
