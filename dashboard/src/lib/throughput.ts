/**
 * Completions and failures over the last hour, per minute, for the overview chart. Seeded
 * from job lists (finish times and per-attempt error times) and fed by live events; both
 * describe the same happenings, so each is keyed (job, attempt, kind, second) and counted once.
 */
import type { GantryEvent, JobJson } from '../api/types.js';

/** The window the chart shows, ms. */
export const THROUGHPUT_WINDOW_MS = 3_600_000;
/** One bar/point of the chart, ms. */
export const THROUGHPUT_BUCKET_MS = 60_000;

/** One minute of the chart. */
export interface ThroughputBucket {
  /** Start of the minute, ms since the epoch. */
  t: number;
  completed: number;
  failed: number;
}

type Kind = 'completed' | 'failed';

const seen = new Map<string, { at: number; kind: Kind }>();
/** The server's own per-minute counts (`GET /stats`), by minute start. */
let server = new Map<number, { completed: number; failed: number }>();
const listeners = new Set<() => void>();
let version = 0;

function add(id: string, attempt: number, kind: Kind, at: number): boolean {
  if (!Number.isFinite(at) || at < Date.now() - THROUGHPUT_WINDOW_MS) return false;
  const key = `${id}:${attempt}:${kind}:${Math.floor(at / 1000)}`;
  if (seen.has(key)) return false;
  seen.set(key, { at, kind });
  return true;
}

function changed(): void {
  version++;
  const cutoff = Date.now() - THROUGHPUT_WINDOW_MS;
  for (const [k, v] of seen) if (v.at < cutoff) seen.delete(k);
  for (const l of listeners) l();
}

/** The throughput store. */
export const throughput = {
  version: (): number => version,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Counts the completions and failed attempts these jobs record. */
  addJobs(jobs: JobJson[]): void {
    let any = false;
    for (const j of jobs) {
      if (j.state === 'completed' && j.finishedAt)
        any = add(j.id, j.attempts, 'completed', Date.parse(j.finishedAt)) || any;
      for (const e of j.errors ?? []) any = add(j.id, e.attempt, 'failed', Date.parse(e.at)) || any;
    }
    if (any) changed();
  },
  /** Counts a live completion or failed attempt. */
  addEvent(e: GantryEvent): void {
    if (!e.jobId) return;
    const kind: Kind | null =
      e.type === 'job.completed' ? 'completed' : e.type === 'job.failed' || e.type === 'job.retrying' ? 'failed' : null;
    if (kind && add(e.jobId, e.attempt ?? 0, kind, e.at)) changed();
  },
  /**
   * Takes the server's per-minute counts. It counts since it started and we count since the
   * page opened (plus what job records tell), so each minute shows the larger of the two.
   */
  setServer(rows: { minute: string; completed: number; failed: number }[]): void {
    server = new Map(rows.map((r) => [Date.parse(r.minute), { completed: r.completed, failed: r.failed }]));
    changed();
  },
  /** The last hour in minutes, oldest first, ending with the current minute. */
  buckets(now: number): ThroughputBucket[] {
    const end = Math.floor(now / THROUGHPUT_BUCKET_MS) * THROUGHPUT_BUCKET_MS;
    const n = THROUGHPUT_WINDOW_MS / THROUGHPUT_BUCKET_MS;
    const out: ThroughputBucket[] = [];
    for (let i = n - 1; i >= 0; i--) out.push({ t: end - i * THROUGHPUT_BUCKET_MS, completed: 0, failed: 0 });
    const start = out[0]?.t ?? end;
    for (const { at, kind } of seen.values()) {
      const b = out[Math.floor((at - start) / THROUGHPUT_BUCKET_MS)];
      if (b) b[kind]++;
    }
    for (const b of out) {
      const s = server.get(b.t);
      if (s) {
        b.completed = Math.max(b.completed, s.completed);
        b.failed = Math.max(b.failed, s.failed);
      }
    }
    return out;
  },
};
