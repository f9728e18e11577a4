/**
 * What the server adds to a queue's settings and counts: how long its oldest due job has waited
 * (latency) and how many live workers take from it, so an operator sees a queue no worker
 * serves before its jobs pile up.
 */
import type { QueueInfo, WorkerInfo } from '../backend/backend.js';
import type { Client } from '../client/client.js';

/** A queue as `GET /queues` returns it. */
export interface QueueHealth extends QueueInfo {
  /** `runAt` of the oldest due waiting job, or `null` when none is due. */
  oldestDueAt: string | null;
  /** How long that job has waited, ms by the server's clock; `null` when none is due. */
  latencyMs: number | null;
  /** Registered workers whose queues include this one (HTTP workers included). */
  workers: number;
}

/** How many of `workers` take from each queue. */
export function workersByQueue(workers: WorkerInfo[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of workers) for (const q of new Set(w.queues.map((x) => x.name))) out.set(q, (out.get(q) ?? 0) + 1);
  return out;
}

/** Every queue with its latency and the live workers serving it. */
export async function queuesWithHealth(client: Client): Promise<QueueHealth[]> {
  const [queues, workers] = await Promise.all([client.queues(), client.workers()]);
  const oldest = await client.backend.jobsFindOldestDue({ queues: queues.map((q) => q.name) });
  const now = client.backend.clock.now();
  const serving = workersByQueue(workers);
  return queues.map((q) => {
    const due = oldest[q.name] ?? null;
    return {
      ...q,
      oldestDueAt: due ? due.toISOString() : null,
      latencyMs: due ? Math.max(0, now - due.getTime()) : null,
      workers: serving.get(q.name) ?? 0,
    };
  });
}
