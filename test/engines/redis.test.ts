/**
 * The conformance suite on the Redis engine: every backend gets a fresh key prefix
 * `gantry-t-<pid>-<n>`, whose keys are deleted when it closes.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { openRedisBackend } from '../../src/engines/redis/index.js';
import { runConformance } from '../conformance/index.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { deleteNamespace } from '../helpers/redis.js';

const available = await engineAvailable('redis');
const admin = available ? new Redis(TEST_URLS.redis) : null;
afterAll(() => admin?.quit());
let n = 0;

/** Opens a backend on a fresh prefix; closing it deletes the prefix's keys. */
async function freshBackend(clock: Parameters<Parameters<typeof runConformance>[1]>[0]): Promise<Backend> {
  const prefix = `gantry-t-${process.pid}-${n++}`;
  const backend = await openRedisBackend({ url: TEST_URLS.redis, clock, namespace: prefix });
  const close = backend.close.bind(backend);
  backend.close = async () => {
    await close();
    await deleteNamespace(admin!, backend.base);
  };
  return backend;
}

if (available) runConformance('redis', freshBackend);
else describe.skip('conformance: redis (Redis is down)', () => it('skipped', () => undefined));
