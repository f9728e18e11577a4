/**
 * Conformance: every engine stores what the core accepts, as given, at its limits
 * (docs/architecture.md, "Limits"): names of the longest length, text beyond the Basic
 * Multilingual Plane, JSON of the deepest nesting, the earliest and latest times, the longest
 * durations, the largest queue caps, and a completion's result of the largest size.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_DURATION_MS,
  MAX_JSON_DEPTH,
  MAX_NAME_LENGTH,
  MAX_QUEUE_CAP,
  MAX_RESULT_BYTES,
  MAX_UNIQUE_KEY_LENGTH,
} from '../../src/core/constants.js';
import { completeItem } from '../../src/core/outcome-items.js';
import { checkResult } from '../../src/core/validate.js';
import type { ConformanceFactory } from './index.js';
import { claimOne, enqueue, mustGet, useBackend } from './fixtures.js';

/** `levels` nested lists around `inner`. */
function nested(levels: number, inner: unknown): unknown {
  let v = inner;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

/** Round trips at the limits, directly against the Backend. */
export function limitsGroup(factory: ConformanceFactory): void {
  describe('limits: what the core accepts is stored as given', () => {
    const ctx = useBackend(factory);

    it('stores names, text, JSON, times and durations at their limits', async () => {
      const name = (c: string): string => c.repeat(MAX_NAME_LENGTH);
      const payload = { emoji: '😀 \u{10FFFF}', deep: nested(MAX_JSON_DEPTH - 1, 'x'), max: Number.MAX_SAFE_INTEGER };
      const job = await enqueue(ctx, {
        id: name('i'),
        type: name('t'),
        queue: name('q'),
        payload,
        tags: [name('g'), '😀'],
        metadata: { 'key 😀': '"\\u0000"' },
        uniqueKey: 'k'.repeat(MAX_UNIQUE_KEY_LENGTH - 2) + '😀',
        timeout: MAX_DURATION_MS,
        uniqueWindow: MAX_DURATION_MS,
        runAt: '0001-01-01T00:00:00.000Z',
        deadline: '9999-12-31T23:59:59.999Z',
        backoff: [MAX_DURATION_MS],
        priority: -1_000_000,
      });
      expect(await mustGet(ctx, job.id)).toEqual(job);
      expect(job).toMatchObject({
        id: name('i'),
        payload,
        timeoutMs: MAX_DURATION_MS,
        uniqueWindowMs: MAX_DURATION_MS,
        runAt: new Date('0001-01-01T00:00:00.000Z'),
        deadline: new Date('9999-12-31T23:59:59.999Z'),
      });
      const late = await enqueue(ctx, { delay: MAX_DURATION_MS });
      expect((await mustGet(ctx, late.id)).runAt.getTime()).toBe(ctx.clock.now() + MAX_DURATION_MS);
    });

    it('stores queue caps of 2147483647', async () => {
      const q = await ctx.backend.queueUpdate({
        queue: 'capped',
        settings: { concurrency: MAX_QUEUE_CAP, sizeCap: MAX_QUEUE_CAP },
      });
      expect(q).toMatchObject({ concurrency: MAX_QUEUE_CAP, sizeCap: MAX_QUEUE_CAP });
      const listed = (await ctx.backend.queuesList()).find((x) => x.name === 'capped');
      expect(listed).toMatchObject({ concurrency: MAX_QUEUE_CAP, sizeCap: MAX_QUEUE_CAP });
    });

    it('stores a result of the largest size and depth the core accepts', async () => {
      await enqueue(ctx, { type: 'big.result' });
      const job = await claimOne(ctx);
      // The JSON text of the result is exactly MAX_RESULT_BYTES long and MAX_JSON_DEPTH deep.
      const deep = nested(MAX_JSON_DEPTH - 1, '');
      expect(() => checkResult([[deep]])).toThrow(/nested more than/);
      const base = Buffer.byteLength(JSON.stringify([deep, '']));
      const result = [deep, 'x'.repeat(MAX_RESULT_BYTES - base)];
      expect(Buffer.byteLength(checkResult(result))).toBe(MAX_RESULT_BYTES);
      const { lost } = await ctx.backend.jobsComplete({ items: [completeItem(job, job.workerId!, result)] });
      expect(lost).toEqual([]);
      expect(await mustGet(ctx, job.id)).toMatchObject({ state: 'completed', result });
    });
  });
}
