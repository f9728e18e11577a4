/**
 * Conformance: a queue's defaults (docs/architecture.md, "Queue defaults"). Its `timeoutMs` and
 * `maxAttempts` are stored with its other settings and given at enqueue to a job that names
 * none; its `weight` is what a worker that lists the queue without a weight uses.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ATTEMPTS } from '../../src/core/constants.js';
import type { ConformanceFactory } from './index.js';
import { enqueue, enqueueMany, mustGet, recordEvents, useBackend } from './fixtures.js';
import { useRig } from './runtime-helpers.js';

const HOUR = 60 * 60 * 1000;

/** Queue defaults against the Backend, then through a Worker. */
export function queueDefaultsGroup(factory: ConformanceFactory): void {
  describe('backend: queue defaults', () => {
    const ctx = useBackend(factory);

    it('stores timeout, max attempts and weight with the other settings; null clears one', async () => {
      const rec = await recordEvents(ctx, { filter: { types: ['queue.updated'] } });
      const set = await ctx.backend.queueUpdate({
        queue: 'TEST',
        settings: { timeoutMs: HOUR, maxAttempts: 100, weight: 10, concurrency: 100 },
      });
      expect(set).toMatchObject({ name: 'TEST', timeoutMs: HOUR, maxAttempts: 100, weight: 10, concurrency: 100 });
      await rec.waitFor((e) => e.queue === 'TEST', 'queue.updated of TEST');
      // A change of one setting keeps the others.
      const changed = await ctx.backend.queueUpdate({ queue: 'TEST', settings: { maxAttempts: null, paused: true } });
      expect(changed).toMatchObject({ timeoutMs: HOUR, maxAttempts: null, weight: 10, paused: true });
      const listed = (await ctx.backend.queuesList()).find((q) => q.name === 'TEST');
      expect(listed).toMatchObject({ timeoutMs: HOUR, maxAttempts: null, weight: 10, concurrency: 100, paused: true });
      // A queue nobody configured has none.
      await enqueue(ctx, { queue: 'plain' });
      const plain = (await ctx.backend.queuesList()).find((q) => q.name === 'plain');
      expect(plain).toMatchObject({ timeoutMs: null, maxAttempts: null, weight: null });
      await rec.stop();
    });

    it('gives a job that names no timeout or max attempts its queue’s, at enqueue', async () => {
      await ctx.backend.queueUpdate({ queue: 'TEST', settings: { timeoutMs: HOUR, maxAttempts: 100 } });
      await ctx.backend.queueUpdate({ queue: 'half', settings: { maxAttempts: 3 } });
      const [none, own, other, half, named] = await enqueueMany(ctx, [
        { queue: 'TEST' },
        { queue: 'TEST', maxAttempts: 2, timeout: 5000 },
        { queue: 'default' },
        { queue: 'half', timeout: 700 },
        // Naming Gantry's own default is naming it: the queue's is not taken.
        { queue: 'TEST', maxAttempts: DEFAULT_MAX_ATTEMPTS },
      ]);
      // As enqueue answers, and as stored.
      expect(none).toMatchObject({ timeoutMs: HOUR, maxAttempts: 100 });
      expect(await mustGet(ctx, none!.id)).toMatchObject({ timeoutMs: HOUR, maxAttempts: 100 });
      expect(await mustGet(ctx, own!.id)).toMatchObject({ timeoutMs: 5000, maxAttempts: 2 });
      expect(await mustGet(ctx, other!.id)).toMatchObject({ timeoutMs: null, maxAttempts: DEFAULT_MAX_ATTEMPTS });
      expect(await mustGet(ctx, half!.id)).toMatchObject({ timeoutMs: 700, maxAttempts: 3 });
      expect(named).toMatchObject({ timeoutMs: HOUR, maxAttempts: DEFAULT_MAX_ATTEMPTS });
      expect(await mustGet(ctx, named!.id)).toMatchObject({ timeoutMs: HOUR, maxAttempts: DEFAULT_MAX_ATTEMPTS });
      // A job with a unique key (a different path on some engines) takes them too.
      const keyed = await enqueue(ctx, { queue: 'TEST', uniqueKey: 'queue-defaults-key' });
      expect(keyed).toMatchObject({ timeoutMs: HOUR, maxAttempts: 100 });
      expect(await mustGet(ctx, keyed.id)).toMatchObject({ timeoutMs: HOUR, maxAttempts: 100 });
      // A change applies to later enqueues; stored jobs keep what they got.
      await ctx.backend.queueUpdate({ queue: 'TEST', settings: { timeoutMs: null, maxAttempts: 7 } });
      const later = await enqueue(ctx, { queue: 'TEST' });
      expect(await mustGet(ctx, later.id)).toMatchObject({ timeoutMs: null, maxAttempts: 7 });
      expect(await mustGet(ctx, none!.id)).toMatchObject({ timeoutMs: HOUR, maxAttempts: 100 });
    });
  });

  describe('runtime: queue weights', () => {
    const rig = useRig(factory);

    it('a worker uses the queue’s weight for a queue it lists without one, its own otherwise', async () => {
      const { backend } = rig();
      await backend.queueUpdate({ queue: 'heavy', settings: { weight: 6 } });
      await backend.queueUpdate({ queue: 'mine', settings: { weight: 9 } });
      const w = await rig().startWorker({ queues: { heavy: null, light: null, mine: 2 } });
      const [info] = (await backend.workersList()).filter((x) => x.id === w.id);
      expect(info?.queues).toEqual([
        { name: 'heavy', weight: 6 },
        { name: 'light', weight: 1 },
        { name: 'mine', weight: 2 },
      ]);
      await rig().stopWorker(w);
    });
  });
}
