/**
 * Worker conformance: what a failed attempt does. Retries wait the policy's delay, the attempt
 * budget ends in `failed`, `UnrecoverableError` skips the budget, a timeout fires the signal and
 * fails the attempt, and every failed attempt leaves one error entry.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffPolicy } from '../../src/core/backoff.js';
import { JobFailedError, JobTimeoutError, UnrecoverableError, ValidationError } from '../../src/core/errors.js';
import type { ConformanceGroup } from './index.js';
import { aborted, useRig } from './runtime-helpers.js';

/** Retries, backoff, attempt budget, unrecoverable errors, timeouts, error history. */
export const runtimeFailures: ConformanceGroup = (factory) => {
  describe('runtime: failures', () => {
    const rig = useRig(factory);

    it('retries after the backoff delay, keeps one error per attempt, then fails when the budget is spent', async () => {
      const { startWorker, until, untilState, client, clock } = rig();
      const backoff: BackoffPolicy = { type: 'exponential', baseMs: 2000, maxMs: 60_000, jitter: false };
      let calls = 0;
      const worker = await startWorker({
        handlers: {
          flaky: () => {
            calls++;
            throw new ValidationError(`boom ${calls}`);
          },
        },
      });
      const log: string[] = [];
      worker.on('job:retrying', (e) => log.push(`retrying:${e.job.attempts}`));
      worker.on('job:failed', (e) => log.push(`failed:${e.job.attempts}`));
      // The worker reports the failure once its write returns, which may be after the store shows it.
      const reported = new Promise<void>((resolve) => worker.on('job:failed', () => resolve()));
      const job = await client.enqueue('flaky', null, { maxAttempts: 3, backoff });

      for (const attempt of [1, 2]) {
        const retrying = await until(async () => {
          const j = await client.get(job.id);
          return j?.state === 'retrying' && j.errors.length === attempt ? j : null;
        }, `attempt ${attempt} to fail`);
        expect(retrying.attempts).toBe(attempt);
        const last = retrying.errors.at(-1)!;
        expect(retrying.runAt.getTime()).toBe(last.at.getTime() + backoffDelay(backoff, attempt));
        // `until` may have nudged the clock since the failure: wait out what is left of the delay.
        await clock.advance(Math.max(0, retrying.runAt.getTime() - clock.now() - 1));
        expect((await client.get(job.id))!.state).toBe('retrying');
        await clock.advance(1);
      }
      const failed = await untilState(job.id, 'failed');
      expect(failed.attempts).toBe(3);
      expect(calls).toBe(3);
      expect(failed.errors.map((e) => [e.attempt, e.message, e.code, e.workerId])).toEqual([
        [1, 'boom 1', 'VALIDATION', worker.id],
        [2, 'boom 2', 'VALIDATION', worker.id],
        [3, 'boom 3', 'VALIDATION', worker.id],
      ]);
      for (const e of failed.errors) {
        expect(e.stack).toContain('boom');
        expect(e.at).toBeInstanceOf(Date);
      }
      await reported;
      expect(log).toEqual(['retrying:1', 'retrying:2', 'failed:3']);
      await expect(client.waitFor(job.id)).rejects.toThrow(JobFailedError);
    });

    it('fails at once on UnrecoverableError, whatever attempts remain', async () => {
      const { startWorker, untilState, client } = rig();
      await startWorker({
        handlers: {
          bad: () => {
            throw new UnrecoverableError('payload can never work');
          },
        },
      });
      const job = await client.enqueue('bad', null, { maxAttempts: 10 });
      const failed = await untilState(job.id, 'failed');
      expect(failed.attempts).toBe(1);
      expect(failed.errors).toHaveLength(1);
      expect(failed.errors[0]).toMatchObject({ code: 'UNRECOVERABLE', message: 'payload can never work', attempt: 1 });
    });

    it('fires the signal on timeout and fails the attempt with TIMEOUT', async () => {
      const { startWorker, until, untilState, client, clock } = rig();
      let reason: unknown;
      let started = false;
      await startWorker({
        handlers: {
          stuck: async (_job, ctx) => {
            started = true;
            reason = await aborted(ctx.signal);
            throw reason;
          },
        },
      });
      const job = await client.enqueue('stuck', null, { timeout: 4000, maxAttempts: 2, backoff: 1000 });
      await until(() => started, 'the handler to start');
      await clock.advance(3999);
      expect(reason).toBeUndefined();
      await clock.advance(1);
      await until(() => reason !== undefined, 'the signal to fire');
      expect(reason).toBeInstanceOf(JobTimeoutError);
      const retrying = await untilState(job.id, 'retrying');
      expect(retrying.errors[0]).toMatchObject({ code: 'TIMEOUT', attempt: 1 });
      expect(retrying.runAt.getTime()).toBe(retrying.errors[0]!.at.getTime() + 1000);
    });

    it('fails a timed-out attempt even when the handler ignores its signal', async () => {
      const { startWorker, until, untilState, client, clock } = rig();
      let started = false;
      await startWorker({
        handlers: {
          deaf: () => {
            started = true;
            return new Promise(() => {});
          },
        },
      });
      const job = await client.enqueue('deaf', null, { timeout: '2s', maxAttempts: 1 });
      await until(() => started, 'the handler to start');
      await clock.advance(2000);
      const failed = await untilState(job.id, 'failed');
      expect(failed.errors[0]).toMatchObject({ code: 'TIMEOUT', attempt: 1 });
    });

    it('fails a job whose result cannot be stored once, without retry', async () => {
      const { startWorker, untilState, client } = rig();
      await startWorker({ handlers: { big: () => ({ n: 10n }) } });
      const job = await client.enqueue('big', null, { maxAttempts: 3 });
      const failed = await untilState(job.id, 'failed');
      expect(failed.attempts).toBe(1);
      expect(failed.errors[0]).toMatchObject({ code: 'UNSTORABLE', message: expect.stringMatching(/BigInt/) });
    });
  });
};
