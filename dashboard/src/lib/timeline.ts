/**
 * A job's attempt timeline, rebuilt from what the job record keeps (created, each failed
 * attempt, the last start and finish) plus the live events seen while the page is open
 * (which add earlier starts and operator retries the record no longer shows).
 */
import type { GantryEvent, JobJson } from '../api/types.js';

/** One step of the timeline. */
export interface TimelineEntry {
  at: number;
  /** `enqueued`, `started`, `failed`, `retrying`, `completed`, `cancelled`, `expired`, `retried`. */
  kind: string;
  attempt?: number;
  workerId?: string;
  /** How long the attempt ran, when its start is known. */
  durationMs?: number;
  message?: string;
}

const EVENT_KINDS: Record<string, string> = {
  'job.started': 'started',
  'job.completed': 'completed',
  'job.failed': 'failed',
  'job.retrying': 'retrying',
  'job.cancelled': 'cancelled',
  'job.expired': 'expired',
  'job.enqueued': 'retried',
};

function fromRecord(job: JobJson): TimelineEntry[] {
  const out: TimelineEntry[] = [{ at: Date.parse(job.createdAt), kind: 'enqueued' }];
  for (const e of job.errors) {
    const entry: TimelineEntry = { at: Date.parse(e.at), kind: 'failed', attempt: e.attempt, message: e.message };
    if (e.workerId) entry.workerId = e.workerId;
    out.push(entry);
  }
  if (job.startedAt && job.attempts > 0) {
    const s: TimelineEntry = { at: Date.parse(job.startedAt), kind: 'started', attempt: job.attempts };
    if (job.workerId) s.workerId = job.workerId;
    out.push(s);
  }
  if (job.finishedAt && job.state !== 'failed')
    out.push({ at: Date.parse(job.finishedAt), kind: job.state, attempt: job.attempts });
  return out;
}

/** True when `a` and `b` describe the same happening (same kind and attempt, within a second). */
function same(a: TimelineEntry, b: TimelineEntry): boolean {
  const kindA = a.kind === 'retrying' ? 'failed' : a.kind;
  const kindB = b.kind === 'retrying' ? 'failed' : b.kind;
  return kindA === kindB && a.attempt === b.attempt && Math.abs(a.at - b.at) < 1000;
}

/** The timeline, oldest first, with attempt durations filled in where the start is known. */
export function buildTimeline(job: JobJson, events: GantryEvent[]): TimelineEntry[] {
  const entries = fromRecord(job);
  for (const ev of events) {
    const kind = EVENT_KINDS[ev.type];
    if (!kind || (kind === 'retried' && ev.at <= Date.parse(job.createdAt) + 1000)) continue;
    const entry: TimelineEntry = { at: ev.at, kind };
    if (kind !== 'retried' && ev.attempt !== undefined) entry.attempt = ev.attempt;
    if (ev.workerId) entry.workerId = ev.workerId;
    if (ev.error) entry.message = ev.error;
    if (!entries.some((e) => same(e, entry))) entries.push(entry);
  }
  entries.sort((a, b) => a.at - b.at);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.kind === 'started' || e.kind === 'enqueued' || e.kind === 'retried') continue;
    const start = entries.slice(0, i).findLast((s) => s.kind === 'started' && s.attempt === e.attempt);
    if (start) e.durationMs = e.at - start.at;
  }
  return entries;
}
