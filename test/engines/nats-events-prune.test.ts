/** NATS retention of events: `jobsPrune` with `eventsBefore` removes the events older than it. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { GantryEvent } from '../../src/core/events.js';
import { openNatsBackend } from '../../src/engines/nats/index.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { dropNatsPrefix } from '../helpers/nats.js';

const available = await engineAvailable('nats');

describe.skipIf(!available)('nats: event retention', () => {
  it('prunes the events before a time, keeping the later ones and the newest', async () => {
    const prefix = `tp${randomBytes(4).toString('hex')}`;
    const clock = new ManualClock();
    const backend = await openNatsBackend({ url: TEST_URLS.nats, clock, namespace: prefix });
    try {
      const fire = (schedule: string): GantryEvent => ({ type: 'schedule.fired', at: clock.now(), schedule });
      for (const s of ['a', 'b', 'c']) await backend.eventsPublish({ events: [fire(s)] });
      await clock.advance(60_000);
      const cut = new Date(clock.now());
      for (const s of ['d', 'e']) await backend.eventsPublish({ events: [fire(s)] });
      await backend.jobsPrune({ finishedBefore: {}, eventsBefore: cut });
      const seen: string[] = [];
      const stop = await backend.eventsSubscribe({ afterSeq: '0', onEvent: (e) => void seen.push(e.schedule!) });
      await backend.eventsFlush();
      await stop();
      expect(seen).toEqual(['d', 'e']);
    } finally {
      await backend.close();
      await dropNatsPrefix(TEST_URLS.nats, prefix);
    }
  });
});
