/**
 * A queue's settings as the SQL engines store them: one row of the `queues` table, a column per
 * field of the core's `QueueSettingsRecord`. Read here once for every such engine; only how a
 * boolean is stored differs (`P`).
 */
import type { QueueSettingsRecord } from '../core/queue-rules.js';

/** A `queues` row; `P` is the stored pause flag (a boolean, or 0/1). */
export interface QueueRow<P> {
  name: string;
  paused: P;
  concurrency: number | null;
  size_cap: number | null;
  size_policy: QueueSettingsRecord['sizePolicy'];
  /** A bigint column: PostgreSQL answers it as text. */
  timeout_ms: number | string | null;
  max_attempts: number | null;
  weight: number | null;
}

/** The settings a row holds, its pause flag already read as a boolean. */
export function queueSettingsOfRow(r: QueueRow<unknown>, paused: boolean): QueueSettingsRecord {
  return {
    paused,
    concurrency: r.concurrency,
    sizeCap: r.size_cap,
    sizePolicy: r.size_policy,
    timeoutMs: r.timeout_ms === null ? null : Number(r.timeout_ms),
    maxAttempts: r.max_attempts,
    weight: r.weight,
  };
}
