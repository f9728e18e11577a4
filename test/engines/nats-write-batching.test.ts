/**
 * The NATS connection writes once per event-loop turn (docs/nats.md, "Writes"): what is
 * published in one turn arrives in order, and what is still waiting when the connection closes
 * is written first.
 */
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { connectNats, parseNatsUrl } from '../../src/engines/nats/connection.js';
import { batchWrites } from '../../src/engines/nats/write-batching.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';

const available = await engineAvailable('nats');

describe.skipIf(!available)('nats: one write per event-loop turn', () => {
  it('applies to the client it was written for', async () => {
    const nc = await connect({ servers: parseNatsUrl(TEST_URLS.nats).servers });
    try {
      expect(batchWrites(nc)).toBe(true);
    } finally {
      await nc.close();
    }
  });

  it('delivers in order what one turn published, and what close found waiting', async () => {
    const target = parseNatsUrl(TEST_URLS.nats);
    const reader = await connect({ servers: target.servers });
    const subject = `batching.${Math.random().toString(36).slice(2)}`;
    const got: number[] = [];
    const all = new Promise<void>((resolve) => {
      reader.subscribe(subject, {
        callback: (_err, m) => {
          got.push(Number(m.string()));
          if (got.length === 1000) resolve();
        },
      });
    });
    await reader.flush();
    const writer = await connectNats(target);
    for (let i = 0; i < 1000; i++) writer.publish(subject, String(i));
    await writer.close();
    await all;
    await reader.close();
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
