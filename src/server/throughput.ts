/**
 * The last hour's throughput per minute for `/stats` and the dashboard. Completions and final
 * failures are counted by the engine from the jobs it keeps (`jobsCountFinished`), so they are
 * right after a restart and across every server; what this server saw in events since it
 * started adds what the engine cannot count (jobs deleted on completion, failed attempts that
 * will be retried, enqueues). Each minute takes the larger of the two counts: both count the
 * same happenings, so adding them would count twice.
 */
import { FINISHED_BUCKET_MS, sumMinutes } from '../backend/jobs-stats.js';
import type { Client } from '../client/client.js';
import type { ServerMetrics } from './metrics.js';

/** Minutes of throughput `/stats` reports. */
export const THROUGHPUT_MINUTES = 60;

/** One minute of throughput as JSON. */
export interface ThroughputMinute {
  minute: string;
  enqueued: number;
  completed: number;
  failed: number;
  retried: number;
}

/** Every minute of the last hour of `queues`, oldest first, ending with the current one. */
export async function throughputSince(
  client: Client,
  queues: string[],
  metrics: ServerMetrics,
): Promise<ThroughputMinute[]> {
  const end = Math.floor(client.backend.clock.now() / FINISHED_BUCKET_MS) * FINISHED_BUCKET_MS;
  const start = end - (THROUGHPUT_MINUTES - 1) * FINISHED_BUCKET_MS;
  const engine = new Map(
    sumMinutes(await client.backend.jobsCountFinished({ queues, since: new Date(start) })).map((m) => [
      m.minute.getTime(),
      m,
    ]),
  );
  const seen = new Map(metrics.throughput().map((m) => [Date.parse(m.minute), m]));
  const out: ThroughputMinute[] = [];
  for (let t = start; t <= end; t += FINISHED_BUCKET_MS) {
    const e = engine.get(t);
    const s = seen.get(t);
    out.push({
      minute: new Date(t).toISOString(),
      enqueued: s?.enqueued ?? 0,
      completed: Math.max(e?.completed ?? 0, s?.completed ?? 0),
      failed: Math.max(e?.failed ?? 0, s?.failed ?? 0),
      retried: s?.retried ?? 0,
    });
  }
  return out;
}
