/**
 * A job's attempt timeline, rebuilt from what the job record keeps (created, each failed
 * attempt, each operator retry, the last start and finish) plus the live events seen while the
 * page is open (which add earlier starts). Attempt numbers start again at 1 after an operator
 * retry: each step carries the run it belongs to (1 until the first retry), so the page can say
 * which "attempt 1" it means.
 */
import type { GantryEvent, JobJson } from '../api/types.js';

/** One step of the timeline. */
export interface TimelineEntry {
  at: number;
  /** `enqueued`, `started`, `failed`, `retrying`, `completed`, `cancelled`, `expired`, `retried`. */
  kind: string;
  attempt?: number;
  workerId?: string;
  /** Which run of the job (1, then 2 after the first operator retry, …). */
  run?: number;
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
};

function fromRecord(job: JobJson): TimelineEntry[] {
  const out: TimelineEntry[] = [{ at: Date.parse(job.createdAt), kind: 'enqueued' }];
  for (const e of job.errors) {
    const entry: TimelineEntry = { at: Date.parse(e.at), kind: 'failed', attempt: e.attempt, message: e.message };
    if (e.workerId) entry.workerId = e.workerId;
    out.push(entry);
  }
  for (const r of job.retries) {
    const spent = `${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`;
    out.push({
      at: Date.parse(r.at),
      kind: 'retried',
      message: `retried by an operator from ${r.from} after ${spent}`,
    });
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
    // Operator retries come from the record (`retries`), which keeps every one.
    if (!kind) continue;
    const entry: TimelineEntry = { at: ev.at, kind };
    if (ev.attempt !== undefined) entry.attempt = ev.attempt;
    if (ev.workerId) entry.workerId = ev.workerId;
    if (ev.error) entry.message = ev.error;
    if (!entries.some((e) => same(e, entry))) entries.push(entry);
  }
  entries.sort((a, b) => a.at - b.at);
  let run = 1;
  for (const e of entries) {
    if (e.kind === 'retried') run++;
    else if (e.attempt !== undefined && run > 1) e.run = run;
  }
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.kind === 'started' || e.kind === 'enqueued' || e.kind === 'retried') continue;
    const start = entries
      .slice(0, i)
      .findLast((s) => s.kind === 'started' && s.attempt === e.attempt && s.run === e.run);
    if (start) e.durationMs = e.at - start.at;
  }
  return entries;
}
