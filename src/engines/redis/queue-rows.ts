/** Queues as the scripts keep them: settings (one JSON document) and counts by state. */
import { JOB_STATES, type JobState } from '../../core/job.js';
import {
  DEFAULT_QUEUE_SETTINGS,
  emptyStateCounts,
  type QueueSettingsRecord,
  type StateCounts,
} from '../../core/queue-rules.js';
import { run, type Ctx } from './context.js';

/** A queue as `jobs-count.lua` answers it: name, settings and counts. */
export interface QueueRow {
  name: string;
  settings: QueueSettingsRecord;
  /** The settings as stored ('' for none): what an update compares before it writes. */
  stored: string;
  counts: StateCounts;
}

/** Every known queue (or those named) with its settings and counts. */
export async function queueRows(ctx: Ctx, queues?: string[]): Promise<QueueRow[]> {
  const rows = await run<[string, string | null, (string | null)[]][]>(ctx, 'jobs-count', [
    JOB_STATES.join(','),
    ...(queues ?? []),
  ]);
  return rows.map(([name, stored, values]) => {
    const counts = emptyStateCounts();
    JOB_STATES.forEach((s: JobState, i) => (counts[s] = Number(values[i] ?? 0)));
    const settings = { ...DEFAULT_QUEUE_SETTINGS, ...(stored ? (JSON.parse(stored) as object) : {}) };
    return { name, settings, stored: stored ?? '', counts };
  });
}
