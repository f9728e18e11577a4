// NATS helpers of the benchmark: fresh prefixes and stream names per run, and their removal.
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const serversOf = (url) =>
  url
    .replace(/^nats:\/\//, '')
    .split('?')[0]
    .split(',');

/** A prefix no other run uses: `<tag>b<random>`. */
export function freshPrefix(tag) {
  return `${tag.replace(/[^a-z0-9]/gi, '')}b${randomBytes(4).toString('hex')}`;
}

/** Runs `fn` with a JetStream manager on `url`. */
export async function withJsm(url, fn) {
  const nc = await connect({ servers: serversOf(url) });
  try {
    return await fn(await jetstreamManager(nc), nc);
  } finally {
    await nc.close();
  }
}

/** The server's version. */
export async function serverVersion(url) {
  const nc = await connect({ servers: serversOf(url) });
  const v = nc.info?.version;
  await nc.close();
  return v;
}

/** Deletes every stream (and so every KV bucket) a Gantry prefix or a raw run made. */
export async function dropPrefix(url, prefix) {
  const up = prefix.toUpperCase().replace(/-/g, '_');
  await withJsm(url, async (jsm) => {
    const names = [];
    for await (const n of jsm.streams.names()) names.push(n);
    for (const n of names) {
      if (n.startsWith(`${up}_`) || n.startsWith(`KV_${prefix}-`)) await jsm.streams.delete(n).catch(() => false);
    }
  });
}
