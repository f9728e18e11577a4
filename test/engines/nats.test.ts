/**
 * The conformance suite on the NATS JetStream engine: every backend gets a fresh prefix
 * `t<random>`; closing it deletes that prefix's streams and buckets.
 */
import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { openNatsBackend } from '../../src/engines/nats/index.js';
import { runConformance } from '../conformance/index.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { dropNatsPrefix } from '../helpers/nats.js';

const available = await engineAvailable('nats');

/** Opens a backend on a fresh prefix; closing it deletes the prefix's streams and buckets. */
async function freshBackend(clock: Parameters<Parameters<typeof runConformance>[1]>[0]): Promise<Backend> {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const backend = await openNatsBackend({ url: TEST_URLS.nats, clock, namespace: prefix });
  const close = backend.close.bind(backend);
  backend.close = async () => {
    await close();
    await dropNatsPrefix(TEST_URLS.nats, prefix);
  };
  return backend;
}

if (available) runConformance('nats', freshBackend);
else describe.skip('conformance: nats (NATS is down)', () => it('skipped', () => undefined));
