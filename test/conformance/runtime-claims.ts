/**
 * Worker conformance: how jobs are taken (weighted queues without starvation, the
 * concurrency bound), what runs them (middleware order) and what an unknown type does.
 */
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/job.js';
import type { ConformanceGroup } from './index.js';
import { gate, useRig } from './runtime-helpers.js';

const tally = (queues: string[]): Record<string, number> =>
  queues.reduce<Record<string, number>>((acc, q) => ({ ...acc, [q]: (acc[q] ?? 0) + 1 }), {});

/** Weighted queues, concurrency, middleware, unknown types. */
export const runtimeClaims: ConformanceGroup = (factory) => {
  describe('runtime: claims', () => {
    const rig = useRig(factory);

    const fill = async (perQueue: number, queues: string[]): Promise<void> => {
      const reqs = queues.flatMap((queue) =>
        Array.from({ length: perQueue }, (_, i) => ({ type: 'work', queue, payload: i })),
      );
      await rig().client.enqueueMany(reqs);
    };

    it('takes turns between weighted queues by weight, one job at a time', async () => {
      const { startWorker, until } = rig();
      await fill(30, ['critical', 'default', 'low']);
      const order: string[] = [];
      await startWorker({
        queues: { critical: 6, default: 3, low: 1 },
        concurrency: 1,
        handlers: { work: (job: Job) => void order.push(job.queue) },
      });
      await until(() => order.length >= 20, '20 jobs to run');
      expect(tally(order.slice(0, 20))).toEqual({ critical: 12, default: 6, low: 2 });
      // No starvation: the lightest queue has had its turn within the first cycle of 10.
      expect(order.slice(0, 10)).toContain('low');
    });

    it('keeps the shares by weight when claiming in batches', async () => {
      const { startWorker, until } = rig();
      await fill(40, ['a', 'b']);
      const order: string[] = [];
      await startWorker({
        queues: { a: 3, b: 1 },
        concurrency: 4,
        handlers: { work: (job: Job) => void order.push(job.queue) },
      });
      await until(() => order.length >= 40, '40 jobs to run');
      const counts = tally(order.slice(0, 40));
      expect(counts.a).toBeGreaterThanOrEqual(28);
      expect(counts.a).toBeLessThanOrEqual(32);
      expect(counts.b).toBeGreaterThanOrEqual(8);
    });

    it('falls back to the other queues when the queue in turn is empty', async () => {
      const { startWorker, until, client } = rig();
      await fill(5, ['low']);
      const seen: string[] = [];
      await startWorker({
        queues: { critical: 10, low: 1 },
        concurrency: 2,
        handlers: { work: (job: Job) => void seen.push(job.queue) },
      });
      await until(async () => (await client.counts(['low'])).low?.completed === 5, 'the low queue to drain');
      expect(seen).toEqual(['low', 'low', 'low', 'low', 'low']);
    });

    it('never runs more jobs at once than its concurrency', async () => {
      const { startWorker, until, client } = rig();
      await client.enqueueMany(Array.from({ length: 10 }, () => ({ type: 'slow' })));
      const g = gate();
      let active = 0;
      let peak = 0;
      await startWorker({
        concurrency: 3,
        handlers: {
          slow: async () => {
            active++;
            peak = Math.max(peak, active);
            await g.promise;
            active--;
          },
        },
      });
      await until(() => active === 3, 'three jobs to run');
      const counts = (await client.counts(['default'])).default!;
      expect(counts.running).toBe(3);
      expect(counts.queued).toBe(7);
      g.open();
      await until(async () => (await client.counts(['default'])).default?.completed === 10, 'all ten to complete');
      expect(peak).toBe(3);
    });

    it('runs middleware outermost first around the handler, which may change the result', async () => {
      const { startWorker, client } = rig();
      const calls: string[] = [];
      const worker = await startWorker({
        middleware: [
          async (_job, _ctx, next) => {
            calls.push('outer:before');
            const r = await next();
            calls.push('outer:after');
            return { wrapped: r };
          },
        ],
        handlers: {
          greet: (job: Job<{ name: string }>) => {
            calls.push('handler');
            return `hello ${job.payload.name}`;
          },
        },
      });
      worker.use(async (job, ctx, next) => {
        calls.push(`inner:before:${job.type}:${ctx.workerId === worker.id}`);
        const r = await next();
        calls.push('inner:after');
        return r;
      });
      const job = await client.enqueue('greet', { name: 'ada' });
      await expect(client.waitFor(job.id)).resolves.toEqual({ wrapped: 'hello ada' });
      expect(calls).toEqual(['outer:before', 'inner:before:greet:true', 'handler', 'inner:after', 'outer:after']);
    });

    it('fails a job of an unknown type with a clear error, and keeps working', async () => {
      const { startWorker, untilState, client } = rig();
      const worker = await startWorker({ handlers: { known: () => 'ok' } });
      const mystery = await client.enqueue('mystery', null, { maxAttempts: 1 });
      const failed = await untilState(mystery.id, 'failed');
      expect(failed.errors).toHaveLength(1);
      expect(failed.errors[0]).toMatchObject({ code: 'UNKNOWN_JOB_TYPE', attempt: 1, workerId: worker.id });
      expect(failed.errors[0]!.message).toContain('"mystery"');
      expect(failed.errors[0]!.message).toContain('"known"');
      const known = await client.enqueue('known');
      await expect(client.waitFor(known.id)).resolves.toBe('ok');
    });

    it('with onlyRegisteredTypes leaves other types for workers that have them', async () => {
      const { startWorker, untilState, client } = rig();
      await startWorker({ onlyRegisteredTypes: true, handlers: { known: () => 1 } });
      const other = await client.enqueue('other');
      const known = await client.enqueue('known');
      await untilState(known.id, 'completed');
      expect((await client.get(other.id))!.state).toBe('queued');
      await startWorker({ handlers: { other: () => 2 } });
      await expect(client.waitFor(other.id)).resolves.toBe(2);
    });
  });
};
