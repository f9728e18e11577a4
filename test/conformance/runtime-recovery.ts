/**
 * Worker and maintenance conformance: nothing is lost. A dead worker's job comes back when
 * its lease expires, a live worker's lease is renewed, deadlines expire waiting jobs, dead
 * workers leave the registry, and a stopping worker hands unfinished jobs back.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/core/backoff.js';
import { JobFailedError } from '../../src/core/errors.js';
import { WorkerShutdownError } from '../../src/worker/errors.js';
import type { ConformanceGroup } from './index.js';
import { aborted, gate, RIG_WORKER, useRig } from './runtime-helpers.js';

/** Lease recovery, renewal, deadlines, registry, graceful shutdown, leader election. */
export const runtimeRecovery: ConformanceGroup = (factory) => {
  describe('runtime: recovery', () => {
    const rig = useRig(factory);

    it('recovers the job of a dead worker once its lease expires, and another worker completes it', async () => {
      const { backend, client, clock, maintenance, startWorker, untilState } = rig();
      const job = await client.enqueue('task', { n: 1 }, { backoff: { type: 'fixed', delayMs: 3000 } });
      const [claimed] = await backend.jobsClaim({
        workerId: 'dead-worker',
        queues: ['default'],
        limit: 1,
        leaseMs: 5000,
      });
      expect(claimed?.id).toBe(job.id);
      const m = maintenance();
      await clock.advance(4999);
      expect((await m.runOnce()).recovered).toBe(0);
      await clock.advance(2);
      const report = await m.runOnce();
      expect(report).toMatchObject({ leader: true, recovered: 1, failed: 0 });
      const retrying = (await client.get(job.id))!;
      expect(retrying.state).toBe('retrying');
      expect(retrying.errors).toHaveLength(1);
      expect(retrying.errors[0]).toMatchObject({ code: 'LEASE_EXPIRED', attempt: 1, workerId: 'dead-worker' });
      expect(retrying.runAt.getTime()).toBe(clock.now() + 3000);
      // The dead worker's late completion is fenced off.
      const late = await backend.jobsComplete({
        items: [{ id: job.id, workerId: 'dead-worker', attempt: 1, result: 'zombie' }],
      });
      expect(late.lost).toEqual([job.id]);
      const live = await startWorker({ handlers: { task: () => 'recovered' } });
      await clock.advance(3000);
      // Whether the new worker's first poll falls inside that advance depends on how many
      // event-loop turns its start took; `untilState` moves the clock on if it went idle after.
      await untilState(job.id, 'completed');
      await expect(client.waitFor(job.id)).resolves.toBe('recovered');
      expect((await client.get(job.id))!).toMatchObject({ attempts: 2, workerId: live.id, state: 'completed' });
    });

    it('fails a lease-expired job that has no attempt left', async () => {
      const { backend, client, clock, maintenance } = rig();
      const job = await client.enqueue('task', null, { maxAttempts: 1 });
      await backend.jobsClaim({ workerId: 'dead-worker', queues: ['default'], limit: 1, leaseMs: 1000 });
      await clock.advance(1001);
      expect(await maintenance().runOnce()).toMatchObject({ recovered: 0, failed: 1 });
      const failed = (await client.get(job.id))!;
      expect(failed.state).toBe('failed');
      expect(failed.errors[0]!.code).toBe('LEASE_EXPIRED');
      await expect(client.waitFor(job.id)).rejects.toThrow(JobFailedError);
    });

    it('renews the lease of a job that runs longer than the lease', async () => {
      const { client, clock, maintenance, startWorker, until } = rig();
      const g = gate();
      let started = false;
      const worker = await startWorker({
        leaseMs: 3000,
        handlers: {
          long: async () => {
            started = true;
            await g.promise;
            return 'finished';
          },
        },
      });
      const job = await client.enqueue('long');
      await until(() => started, 'the handler to start');
      const m = maintenance();
      for (let t = 0; t < 12_000; t += 500) {
        await clock.advance(500);
        expect((await m.runOnce()).recovered).toBe(0);
      }
      const running = (await client.get(job.id))!;
      expect(running).toMatchObject({ state: 'running', attempts: 1, workerId: worker.id });
      expect(running.leaseUntil!.getTime()).toBeGreaterThan(clock.now());
      g.open();
      await expect(client.waitFor(job.id)).resolves.toBe('finished');
    });

    it('expires a waiting job whose deadline passed; no worker runs it', async () => {
      const { client, clock, maintenance, startWorker } = rig();
      let ran = 0;
      await startWorker({ handlers: { late: () => void ran++ } });
      const job = await client.enqueue('late', null, { delay: 10_000, deadline: new Date(clock.now() + 5000) });
      await clock.advance(5001);
      expect((await maintenance().runOnce()).expired).toBe(1);
      expect((await client.get(job.id))!.state).toBe('expired');
      await expect(client.waitFor(job.id)).rejects.toThrow(JobFailedError);
      await clock.advance(10_000);
      expect(ran).toBe(0);
      expect((await client.get(job.id))!.state).toBe('expired');
    });

    it('registers workers with a heartbeat and forgets those whose heartbeats stopped', async () => {
      const { backend, client, clock, maintenance, startWorker, until } = rig();
      const g = gate();
      const worker = await startWorker({
        queues: { critical: 6, default: 3 },
        concurrency: 4,
        handlers: { hold: () => g.promise },
      });
      const me = (await client.workers()).find((w) => w.id === worker.id)!;
      expect(me).toMatchObject({ pid: process.pid, concurrency: 4, running: [] });
      expect(me.queues).toEqual([
        { name: 'critical', weight: 6 },
        { name: 'default', weight: 3 },
      ]);
      expect(worker.id.split(':')).toHaveLength(3);
      const job = await client.enqueue('hold');
      await until(() => worker.running.includes(job.id), 'the job to run');
      await clock.advance(RIG_WORKER.heartbeatMs);
      await until(
        async () => (await client.workers()).find((w) => w.id === worker.id)?.running.includes(job.id),
        'the heartbeat to list the job',
      );
      const now = new Date(clock.now());
      await backend.workerHeartbeat({
        worker: {
          id: 'ghost:1:dead',
          host: 'ghost',
          pid: 1,
          queues: [{ name: 'default', weight: 1 }],
          concurrency: 1,
          running: [],
          startedAt: now,
          lastSeenAt: now,
        },
      });
      const m = maintenance({ workerTtlMs: 15_000 });
      for (let t = 0; t < 16_000; t += 1000) await clock.advance(1000);
      const report = await m.runOnce();
      expect(report.workersPruned).toEqual(['ghost:1:dead']);
      expect((await client.workers()).map((w) => w.id)).toEqual([worker.id]);
      g.open();
      await rig().stopWorker(worker);
      expect(await client.workers()).toEqual([]);
    });

    it('on stop lets running jobs finish within the shutdown timeout', async () => {
      const { client, startWorker, until } = rig();
      const g = gate();
      let started = false;
      const worker = await startWorker({
        handlers: {
          short: async () => {
            started = true;
            await g.promise;
            return 'finished';
          },
        },
      });
      const job = await client.enqueue('short');
      await until(() => started, 'the handler to start');
      const stopping = worker.stop();
      const extra = await client.enqueue('short');
      g.open();
      await stopping;
      expect((await client.get(job.id))!).toMatchObject({ state: 'completed', result: 'finished', errors: [] });
      expect((await client.get(extra.id))!.state).toBe('queued');
      expect((await client.workers()).map((w) => w.id)).not.toContain(worker.id);
    });

    it('on stop hands a job that outlives the shutdown timeout back; another worker completes it', async () => {
      const { client, clock, startWorker, until } = rig();
      let reason: unknown;
      let started = false;
      const a = await startWorker({
        shutdownTimeoutMs: 2000,
        handlers: {
          long: async (_job, ctx) => {
            started = true;
            reason = await aborted(ctx.signal);
            throw reason;
          },
        },
      });
      const job = await client.enqueue('long', null, { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 60_000 } });
      await until(() => started, 'the handler to start');
      let stopped = false;
      const draining = new Promise((resolve) => a.once('worker:draining', resolve));
      const stopping = a.stop().then(() => (stopped = true));
      expect(await draining).toEqual({ workerId: a.id, running: [job.id], shutdownTimeoutMs: 2000 });
      await clock.advance(1999);
      expect(reason).toBeUndefined();
      expect(stopped).toBe(false);
      await clock.advance(1);
      await stopping;
      expect(reason).toBeInstanceOf(WorkerShutdownError);
      const handedBack = (await client.get(job.id))!;
      expect(handedBack.state).toBe('retrying');
      expect(handedBack.runAt.getTime()).toBe(clock.now());
      expect(handedBack.errors[0]).toMatchObject({ code: 'SHUTDOWN', attempt: 1, workerId: a.id });
      expect((await client.workers()).map((w) => w.id)).not.toContain(a.id);
      const b = await startWorker({ handlers: { long: () => 'second worker' } });
      await expect(client.waitFor(job.id)).resolves.toBe('second worker');
      expect((await client.get(job.id))!).toMatchObject({ attempts: 2, workerId: b.id });
    });

    it('keeps maintenance single through its leader lease', async () => {
      const { backend, client, clock, maintenance } = rig();
      const first = maintenance({ leaseMs: 5000 });
      const second = maintenance({ leaseMs: 5000 });
      expect((await first.runOnce()).leader).toBe(true);
      expect((await second.runOnce()).leader).toBe(false);
      const job = await client.enqueue('task', null, { backoff: { type: 'fixed', delayMs: 100 } });
      await backend.jobsClaim({ workerId: 'dead-worker', queues: ['default'], limit: 1, leaseMs: 1000 });
      await clock.advance(5001);
      // The first holder's lease lapsed: the second takes over and does the work.
      expect(await second.runOnce()).toMatchObject({ leader: true, recovered: 1 });
      expect((await first.runOnce()).leader).toBe(false);
      const j = (await client.get(job.id))!;
      expect(j.runAt.getTime()).toBe(clock.now() + backoffDelay({ type: 'fixed', delayMs: 100 }, 1));
      await second.stop();
      expect((await first.runOnce()).leader).toBe(true);
    });
  });
};
