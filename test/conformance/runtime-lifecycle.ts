/**
 * Worker conformance: what producers see of a running job. Progress and result are visible,
 * `waitFor` resolves or rejects, `events()` delivers the lifecycle in order, and cancelling a
 * running job fires its signal and it ends `cancelled`.
 */
import { describe, expect, it } from 'vitest';
import { JobCancelledError, JobFailedError, LeaseLostError } from '../../src/core/errors.js';
import type { GantryEvent } from '../../src/core/events.js';
import { newId } from '../../src/core/ids.js';
import type { ConformanceGroup } from './index.js';
import { aborted, gate, useRig } from './runtime-helpers.js';

/** Progress, results, waitFor, events, cancel. */
export const runtimeLifecycle: ConformanceGroup = (factory) => {
  describe('runtime: lifecycle', () => {
    const rig = useRig(factory);

    it('makes progress visible while the job runs and the result once it completes', async () => {
      const { startWorker, until, client } = rig();
      const g = gate();
      let badProgress: unknown;
      const worker = await startWorker({
        handlers: {
          report: async (_job, ctx) => {
            await ctx.progress(40, 'copying');
            await ctx.progress(60);
            await ctx.progress(150).catch((err: unknown) => (badProgress = err));
            await g.promise;
            return { rows: 3 };
          },
        },
      });
      const seen: number[] = [];
      worker.on('job:progress', (e) => seen.push(e.progress.percent));
      const job = await client.enqueue('report');
      // The worker reports progress once the engine has stored it, so another connection may
      // read 60 a moment before the worker's event for it: wait for both.
      const running = await until(async () => {
        const j = await client.get(job.id);
        return j?.progress?.percent === 60 && seen.length === 2 ? j : null;
      }, 'progress 60');
      expect(running.state).toBe('running');
      expect(running.progress).toEqual({ percent: 60 });
      expect(seen).toEqual([40, 60]);
      expect(badProgress).toMatchObject({ code: 'VALIDATION' });
      g.open();
      await expect(client.waitFor(job.id)).resolves.toEqual({ rows: 3 });
      const done = (await client.get(job.id))!;
      expect(done).toMatchObject({ state: 'completed', result: { rows: 3 }, attempts: 1 });
      expect(done.finishedAt).toBeInstanceOf(Date);
    });

    it('waitFor resolves with the result, rejects on failure and on cancel', async () => {
      const { startWorker, client } = rig();
      const g = gate();
      await startWorker({
        handlers: {
          ok: (job) => job.payload,
          fail: () => {
            throw new Error('no luck');
          },
          hold: async (_job, ctx) => {
            await Promise.race([g.promise, aborted(ctx.signal)]);
          },
        },
      });
      const ok = await client.enqueue('ok', { n: 1 });
      const fail = await client.enqueue('fail', null, { maxAttempts: 1 });
      const hold = await client.enqueue('hold');
      await expect(client.waitFor(ok.id)).resolves.toEqual({ n: 1 });
      const failure = client.waitFor(fail.id);
      await expect(failure).rejects.toThrow(JobFailedError);
      await expect(failure).rejects.toThrow(/no luck/);
      // Attach the rejection handler before cancelling: the rejection may arrive first.
      const cancelled = expect(client.waitFor(hold.id)).rejects.toThrow(JobCancelledError);
      await client.cancel(hold.id).catch(() => undefined);
      await cancelled;
    });

    it('client.events() sees the lifecycle of a retried job in order', async () => {
      const { startWorker, until, client, clock } = rig();
      const id = newId(clock.now());
      const events: GantryEvent[] = [];
      const stream = client.events({ filter: { jobId: id } });
      const reading = (async () => {
        for await (const e of stream) {
          events.push(e);
          if (e.type === 'job.completed') break;
        }
      })();
      let calls = 0;
      await startWorker({
        handlers: {
          twice: async (_job, ctx) => {
            if (++calls === 1) throw new Error('first try fails');
            await ctx.progress(50, 'half');
            return 'done';
          },
        },
      });
      // Subscribing is asynchronous on some engines: enqueue once a probe event came through.
      const probe: GantryEvent = { type: 'schedule.fired', at: clock.now(), jobId: id, schedule: 'probe' };
      await until(async () => {
        if (events.length === 0) await client.backend.eventsPublish({ events: [probe] });
        return events.length > 0;
      }, 'the event stream to be live');
      await client.enqueue('twice', null, { id, backoff: 1000 });
      await until(() => events.some((e) => e.type === 'job.retrying'), 'the first attempt to fail');
      await clock.advance(1000);
      // The retry is due now; `until` nudges the clock on if the worker sleeps through it.
      await until(() => events.some((e) => e.type === 'job.completed'), 'the retry to complete');
      await reading;
      const types = events.map((e) => e.type).filter((t) => t !== 'schedule.fired');
      const wanted = ['job.enqueued', 'job.started', 'job.retrying', 'job.started', 'job.progress', 'job.completed'];
      expect(subsequence(types, wanted)).toBe(true);
      expect(types[0]).toBe('job.enqueued');
      expect(types.at(-1)).toBe('job.completed');
      const started = events.filter((e) => e.type === 'job.started').map((e) => e.attempt);
      expect(started).toEqual([1, 2]);
      expect(events.find((e) => e.type === 'job.retrying')?.error).toContain('first try fails');
      expect(events.find((e) => e.type === 'job.progress')?.progress).toEqual({ percent: 50, message: 'half' });
    });

    it('cancelling a running job fires its signal; it ends cancelled and its late result is dropped', async () => {
      const { startWorker, until, client } = rig();
      let reason: unknown;
      let started = false;
      const worker = await startWorker({
        handlers: {
          long: async (_job, ctx) => {
            started = true;
            reason = await aborted(ctx.signal);
            return 'late result';
          },
        },
      });
      const log: string[] = [];
      worker.on('job:aborted', (e) => log.push(e.reason));
      worker.on('job:completed', () => log.push('completed'));
      const job = await client.enqueue('long');
      await until(() => started, 'the handler to start');
      await client.cancel(job.id);
      await until(() => reason !== undefined, 'the signal to fire');
      expect(reason).toBeInstanceOf(JobCancelledError);
      await until(() => log.length > 0, 'the worker to drop the attempt');
      expect(log).toEqual(['cancelled']);
      const after = (await client.get(job.id))!;
      expect(after.state).toBe('cancelled');
      expect(after.result).toBeNull();
      expect(worker.running).toEqual([]);
    });

    it('force-deleting a running job fires its signal as a lost lease', async () => {
      const { startWorker, until, client } = rig();
      let reason: unknown;
      let started = false;
      await startWorker({
        handlers: {
          long: async (_job, ctx) => {
            started = true;
            reason = await aborted(ctx.signal);
          },
        },
      });
      const job = await client.enqueue('long');
      await until(() => started, 'the handler to start');
      await client.delete(job.id, { force: true });
      await until(() => reason !== undefined, 'the signal to fire');
      expect(reason).toBeInstanceOf(LeaseLostError);
    });
  });
};

/** True when `wanted` appears in `seen` in order (other entries may come between). */
function subsequence(seen: string[], wanted: string[]): boolean {
  let i = 0;
  for (const s of seen) if (s === wanted[i]) i++;
  return i === wanted.length;
}
