/**
 * Creates the engine's streams and KV buckets idempotently and reads their configuration back:
 * nats-server 2.9 silently drops fields it does not know, so a field that did not come back as
 * sent is an error here rather than a surprise later (docs/nats.md).
 */
import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { JetStreamClient } from '@nats-io/jetstream';
import { MigrationError } from '../../core/errors.js';
import { BUCKETS, type BucketRole, type Names } from './names.js';

/** The schema version of the engine's layout (streams, buckets, subjects). */
export const NATS_SCHEMA_VERSION = 1;

/** Duplicate window of the work and submit streams (Nats-Msg-Id dedup), ms. */
const DUPLICATE_WINDOW_MS = 120_000;

const ns = (ms: number): number => ms * 1_000_000;

/** The streams of `n` with `replicas`. */
function streamConfigs(n: Names, replicas: number): Partial<StreamConfig>[] {
  const base = { storage: StorageType.File, num_replicas: replicas, allow_direct: true };
  return [
    {
      ...base,
      name: n.workStream,
      subjects: [`${n.prefix}.work.>`],
      retention: RetentionPolicy.Workqueue,
      duplicate_window: ns(DUPLICATE_WINDOW_MS),
    },
    { ...base, name: n.delayStream, subjects: [`${n.prefix}.delay.>`], retention: RetentionPolicy.Limits },
    {
      ...base,
      name: n.eventStream,
      subjects: [`${n.prefix}.ev.>`],
      retention: RetentionPolicy.Limits,
      max_msgs: 1_000_000,
      discard: DiscardPolicy.Old,
    },
    {
      ...base,
      name: n.submitStream,
      subjects: [`${n.prefix}.submit.>`],
      retention: RetentionPolicy.Workqueue,
      duplicate_window: ns(DUPLICATE_WINDOW_MS),
    },
    {
      ...base,
      name: n.resultStream,
      subjects: [`${n.prefix}.result.>`],
      retention: RetentionPolicy.Limits,
      max_msgs_per_subject: 1,
    },
  ];
}

/** The fields of `sent` whose value the server answered differently. */
function ignoredFields(sent: Record<string, unknown>, got: Record<string, unknown>): string[] {
  return Object.keys(sent).filter((k) => JSON.stringify(sent[k]) !== JSON.stringify(got[k]));
}

/** Creates the stream unless it exists; either way checks that its configuration is `cfg`. */
async function ensureStream(jsm: JetStreamManager, cfg: Partial<StreamConfig>): Promise<void> {
  let got: StreamConfig;
  try {
    got = (await jsm.streams.info(cfg.name!)).config;
  } catch (err) {
    if (!/not found/i.test((err as Error).message)) throw err;
    got = (await jsm.streams.add({ ...cfg, name: cfg.name! })).config;
  }
  const wrong = ignoredFields(cfg as Record<string, unknown>, got as unknown as Record<string, unknown>);
  if (wrong.length > 0) {
    throw new MigrationError(
      `NATS stream ${cfg.name} has ${wrong.map((f) => `${f}=${JSON.stringify((got as never)[f])} (wanted ${JSON.stringify((cfg as never)[f])})`).join(', ')}: ` +
        'the server ignored or kept a different setting; use nats-server 2.9 or later with JetStream, or delete the stream to let Gantry make it again',
    );
  }
}

/** Opens (creating) every KV bucket and checks the configuration of its stream. */
async function ensureBuckets(
  js: JetStreamClient,
  jsm: JetStreamManager,
  n: Names,
  replicas: number,
): Promise<Record<BucketRole, KV>> {
  const kvm = new Kvm(js);
  const out = {} as Record<BucketRole, KV>;
  for (const role of BUCKETS) {
    const name = n.bucket(role);
    // With replicas, reads go to the stream's leader, never to a follower that may lag (a direct
    // get may be answered by any replica); one server has no follower, and its direct get is
    // the cheaper read.
    const direct = replicas === 1;
    out[role] = await kvm.create(name, { replicas, history: 1, allow_direct: direct });
    const cfg = (await jsm.streams.info(`KV_${name}`)).config;
    const wrong = ignoredFields(
      { num_replicas: replicas, max_msgs_per_subject: 1, allow_direct: direct },
      cfg as unknown as Record<string, unknown>,
    );
    if (wrong.length > 0) {
      throw new MigrationError(
        `NATS KV bucket ${name} has a different ${wrong.join(', ')} than Gantry needs; delete it to let Gantry make it again`,
      );
    }
  }
  return out;
}

/** Makes (or checks) every stream and bucket; answers the buckets. */
export async function ensureLayout(
  js: JetStreamClient,
  jsm: JetStreamManager,
  n: Names,
  replicas: number,
): Promise<Record<BucketRole, KV>> {
  for (const cfg of streamConfigs(n, replicas)) await ensureStream(jsm, cfg);
  return ensureBuckets(js, jsm, n, replicas);
}
