/**
 * The conformance suite on a Redis Cluster of three masters that this file starts on loopback
 * ports (and stops by pid after): every key of a namespace shares one hash tag, so each
 * namespace lives in one slot and every script is atomic there. Every backend gets a fresh
 * prefix, whose keys are deleted when it closes.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { openRedisBackend } from '../../src/engines/redis/index.js';
import { runConformance } from '../conformance/index.js';
import { deleteNamespace } from '../helpers/redis.js';
import { ThrowawayCluster, throwawayRedisMissing } from '../helpers/throwaway-redis.js';

const reason = throwawayRedisMissing();
if (reason) {
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(reason);
  console.warn(`SKIP redis-cluster: ${reason}`);
}

const cluster = new ThrowawayCluster();
let admin: Cluster | null = null;
let n = 0;

beforeAll(async () => {
  await cluster.start();
  admin = new Cluster([{ host: '127.0.0.1', port: cluster.servers[0]!.port }]);
}, 60_000);
afterAll(async () => {
  await admin?.quit();
  await cluster.destroy();
});

/** Opens a backend on a fresh prefix of the cluster; closing it deletes the prefix's keys. */
async function freshBackend(clock: Parameters<Parameters<typeof runConformance>[1]>[0]): Promise<Backend> {
  const prefix = `gantry-c-${process.pid}-${n++}`;
  const backend = await openRedisBackend({ url: cluster.url, clock, namespace: prefix });
  const close = backend.close.bind(backend);
  backend.close = async () => {
    await close();
    await deleteNamespace(admin!, backend.base);
  };
  return backend;
}

if (reason === null) runConformance('redis cluster', freshBackend);
else describe.skip('conformance: redis cluster (no redis-server)', () => it('skipped', () => undefined));
