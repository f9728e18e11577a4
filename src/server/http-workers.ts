/**
 * HTTP workers: processes in any language that claim and report over the API. Each is
 * registered in the backend's worker registry (kind `http`) like a TypeScript worker, and is
 * refreshed on every call it makes, so maintenance forgets it once it stops calling.
 */
import { randomBytes } from 'node:crypto';
import type { Backend, WorkerInfo } from '../backend/backend.js';
import type { Clock } from '../core/clock.js';
import { LeaseLostError, NotFoundError, ValidationError } from '../core/errors.js';
import type { Job } from '../core/job.js';
import { validateJobId } from '../core/validate.js';

/** The worker-name pattern: the id other calls fence on, so it must be stable and plain. */
const WORKER_RE = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;

/** Validates a worker name, or makes one (`http:<address>:<random>`). */
export function workerIdOf(name: string | undefined, address: string): string {
  if (name === undefined) return `http:${address}:${randomBytes(4).toString('hex')}`;
  if (!WORKER_RE.test(name)) {
    throw new ValidationError(
      `worker must be 1-128 characters of letters, digits and _ . : @ -, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

interface Entry {
  info: WorkerInfo;
  running: Set<string>;
}

/** Registrations of the HTTP workers this server has seen. */
export class HttpWorkers {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: Clock) {}

  /** Registers or refreshes a worker; `claimed` and `done` adjust its running jobs. */
  async touch(
    backend: Backend,
    id: string,
    change: { host?: string; queues?: string[]; limit?: number; claimed?: string[]; done?: string } = {},
  ): Promise<void> {
    const now = new Date(this.clock.now());
    let e = this.entries.get(id);
    if (!e) {
      e = {
        info: {
          id,
          host: change.host ?? 'unknown',
          pid: 0,
          queues: [],
          concurrency: 1,
          running: [],
          startedAt: now,
          lastSeenAt: now,
          kind: 'http',
        },
        running: new Set(),
      };
      this.entries.set(id, e);
    }
    if (change.host) e.info.host = change.host;
    if (change.queues) e.info.queues = change.queues.map((name) => ({ name, weight: 1 }));
    if (change.limit) e.info.concurrency = change.limit;
    for (const j of change.claimed ?? []) e.running.add(j);
    if (change.done) e.running.delete(change.done);
    e.info = { ...e.info, running: [...e.running], lastSeenAt: now };
    await backend.workerHeartbeat({ worker: e.info });
  }

  /** True when `id` is an HTTP worker this server has seen. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Forgets workers idle longer than `ttlMs` (their registration in the backend expires by itself). */
  sweep(ttlMs: number): void {
    const cutoff = this.clock.now() - ttlMs;
    for (const [id, e] of this.entries) if (e.info.lastSeenAt.getTime() < cutoff) this.entries.delete(id);
  }
}

/** Who claims to hold a job's lease: the optional `worker` and `attempt` of a call. */
export interface LeaseClaim {
  worker?: string;
  attempt?: number;
}

/** The fence a call is applied under. */
export interface Fence {
  job: Job;
  workerId: string;
  attempt: number;
}

/**
 * Resolves the fence of a worker call. With `worker` and `attempt` (what the claim returned:
 * `workerId`, `attempts`) the fence is exact; without them it is the current holder and
 * attempt, which still refuses a job that is no longer running or whose lease has run out.
 * Throws `NotFoundError`, or `LeaseLostError` (409) when the caller does not hold the lease.
 */
export async function resolveFence(backend: Backend, id: string, claim: LeaseClaim): Promise<Fence> {
  const job = await backend.jobGet({ id: validateJobId(id) });
  if (!job) throw new NotFoundError('job', id);
  const who = claim.worker ?? job.workerId ?? 'unknown';
  const lost =
    job.state !== 'running' ||
    !job.workerId ||
    (claim.worker !== undefined && claim.worker !== job.workerId) ||
    (claim.attempt !== undefined && claim.attempt !== job.attempts) ||
    (job.leaseUntil !== null && job.leaseUntil.getTime() < backend.clock.now());
  if (lost) throw new LeaseLostError(id, who);
  return { job, workerId: job.workerId!, attempt: job.attempts };
}
