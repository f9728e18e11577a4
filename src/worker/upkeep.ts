/**
 * A worker's periodic upkeep: renewing the leases it holds (buffered jobs' too) and the
 * heartbeat that keeps its registration alive (docs/architecture.md, "Workers").
 */
import os from 'node:os';
import type { Backend } from '../backend/backend.js';
import { LEASE_RENEW_DIVISOR } from '../core/constants.js';
import { every } from './every.js';
import type { ResolvedWorkerOptions } from './options.js';

/**
 * Starts the lease renewal (every third of the lease) and the heartbeat on the worker's clock;
 * returns what cancels them. `onError(during)` reports a failed round; the next one still runs.
 */
export function startUpkeep(o: {
  opts: Pick<ResolvedWorkerOptions, 'clock' | 'leaseMs' | 'heartbeatMs'>;
  renew: () => Promise<void>;
  heartbeat: () => Promise<void>;
  onError: (during: string) => (error: unknown) => void;
}): (() => void)[] {
  const { clock, leaseMs, heartbeatMs } = o.opts;
  const renewMs = Math.max(1, Math.floor(leaseMs / LEASE_RENEW_DIVISOR));
  return [
    every(clock, renewMs, o.renew, o.onError('lease renewal')),
    every(clock, heartbeatMs, o.heartbeat, o.onError('heartbeat')),
  ];
}

/** What the heartbeat reads of its worker. */
export interface HeartbeatState {
  id: string;
  opts: Pick<ResolvedWorkerOptions, 'concurrency' | 'clock'> & { queues: { name: string; weight: number }[] };
  startedAt: Date;
  /** Ids of the jobs whose attempt runs or whose outcome is being written. */
  running: string[];
}

/** Extends the leases of `ids`; calls `onLost` for each one the worker no longer holds. */
export async function renewLeases(
  backend: Backend,
  p: { workerId: string; leaseMs: number; ids: string[] },
  onLost: (id: string) => void,
): Promise<void> {
  if (p.ids.length === 0) return;
  const { lost } = await backend.jobsLeaseRenew(p);
  for (const id of lost) onLost(id);
}

/** Writes the worker's registration with its running jobs and the time. */
export function heartbeat(backend: Backend, w: HeartbeatState): Promise<void> {
  const { queues, concurrency, clock } = w.opts;
  return backend.workerHeartbeat({
    worker: {
      id: w.id,
      host: os.hostname(),
      pid: process.pid,
      queues,
      concurrency,
      running: w.running,
      startedAt: w.startedAt,
      lastSeenAt: new Date(clock.now()),
    },
  });
}
