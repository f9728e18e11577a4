/**
 * Throughput and latency reads (`jobsCountFinished`, `jobsFindOldestDue`) and the short-id
 * lookup (`JobFilter.idSuffix`), with their statements. All are answered from indexes the
 * claim and completion path keeps anyway (`jobs_finished`, `jobs_claim`, `jobs_due`, the id's).
 */
import type Database from 'better-sqlite3';
import type { JobFilter } from '../../backend/backend.js';
import { MAX_SUFFIX_MATCHES, idTail, pageOf } from '../../backend/job-filter.js';
import { FINISHED_BUCKET_MS, type FinishedMinute } from '../../backend/jobs-stats.js';
import type { Job } from '../../core/job.js';
import type { Db } from './connection.js';
import { readJob, type RawJob } from './rows.js';
import type { Store } from './store.js';

const SQL = {
  /** Two range scans of `jobs_finished` (queue, state, finished_at), grouped by minute. */
  finished: `SELECT (finished_at / ${FINISHED_BUCKET_MS}) * ${FINISHED_BUCKET_MS} AS minute, state, count(*) AS n
    FROM jobs INDEXED BY jobs_finished
    WHERE queue = @queue AND state IN ('completed', 'failed') AND finished_at IS NOT NULL AND finished_at >= @since
    GROUP BY minute, state`,
  /**
   * The earliest `run_at` of the queue's queued jobs. `jobs_claim` orders them by priority
   * first, so the walk visits each priority present once (the first entry of each band), never
   * the whole backlog.
   */
  oldestQueued: `WITH RECURSIVE band(priority) AS (
      SELECT (SELECT priority FROM jobs INDEXED BY jobs_claim WHERE queue = @queue AND state = 'queued'
        ORDER BY priority DESC LIMIT 1)
      UNION ALL
      SELECT (SELECT priority FROM jobs INDEXED BY jobs_claim WHERE queue = @queue AND state = 'queued'
        AND priority < band.priority ORDER BY priority DESC LIMIT 1)
      FROM band WHERE band.priority IS NOT NULL)
    SELECT min((SELECT run_at FROM jobs INDEXED BY jobs_claim WHERE queue = @queue AND state = 'queued'
        AND priority = band.priority ORDER BY priority DESC, run_at LIMIT 1))
    FROM band WHERE band.priority IS NOT NULL`,
  /** The earliest delayed or retrying job of the queue: the first entry of `jobs_due`. */
  oldestDelayed: `SELECT run_at FROM jobs INDEXED BY jobs_due
    WHERE queue = @queue AND state IN ('scheduled', 'retrying') ORDER BY run_at LIMIT 1`,
  /**
   * Jobs whose id ends with @suffix. No index is kept for it: an index on the id's tail cost a
   * completion of a job enqueued with `deleteOnComplete` a third more CPU (its delete must update
   * one more B-tree at a random place), so the inner query scans the id index alone (covering,
   * about 13 ms per 100,000 jobs) and reads only the rows it names.
   */
  bySuffix: `SELECT * FROM jobs WHERE id IN (
      SELECT id FROM jobs WHERE substr(id, -length(@suffix)) = @suffix LIMIT ${MAX_SUFFIX_MATCHES})`,
} as const;

type Statements = { [K in keyof typeof SQL]: Database.Statement };

const prepared = new WeakMap<Db, Statements>();

/** This module's statements on the store's connection, prepared on first use. */
function statements(s: Store): Statements {
  let st = prepared.get(s.db);
  if (!st) {
    st = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, s.db.prepare(sql)])) as Statements;
    st.oldestQueued.pluck(true);
    st.oldestDelayed.pluck(true);
    st.bySuffix.raw(true);
    prepared.set(s.db, st);
  }
  return st;
}

/** Completed and failed jobs per queue and minute since `since`. */
export function jobsCountFinished(s: Store, queues: string[], since: Date): FinishedMinute[] {
  const st = statements(s);
  const out: FinishedMinute[] = [];
  for (const queue of new Set(queues)) {
    const byMinute = new Map<number, FinishedMinute>();
    for (const r of st.finished.all({ queue, since: since.getTime() }) as {
      minute: number;
      state: string;
      n: number;
    }[]) {
      let m = byMinute.get(r.minute);
      if (!m) byMinute.set(r.minute, (m = { queue, minute: new Date(r.minute), completed: 0, failed: 0 }));
      if (r.state === 'completed') m.completed += r.n;
      else m.failed += r.n;
    }
    out.push(...[...byMinute.values()].sort((a, b) => a.minute.getTime() - b.minute.getTime()));
  }
  return out;
}

/** The `runAt` of each queue's oldest due waiting job, or `null`. */
export function jobsFindOldestDue(s: Store, queues: string[]): Record<string, Date | null> {
  const st = statements(s);
  const now = s.now();
  const out: Record<string, Date | null> = {};
  for (const queue of queues) {
    const queued = st.oldestQueued.get({ queue }) as number | null;
    const delayed = st.oldestDelayed.get({ queue }) as number | undefined;
    const due = [queued, delayed !== undefined && delayed <= now ? delayed : null].filter(
      (t): t is number => t !== null && t !== undefined,
    );
    out[queue] = due.length > 0 ? new Date(Math.min(...due)) : null;
  }
  return out;
}

/** A page of the jobs whose id ends with `filter.idSuffix`, the other filters applied to them. */
export function jobsListBySuffix(
  s: Store,
  filter: JobFilter & { idSuffix: string },
  limit: number,
  cursor: string | null,
): { jobs: Job[]; nextCursor: string | null } {
  const suffix = filter.idSuffix;
  idTail(suffix); // refuses a suffix too short, as every engine does
  const rows = statements(s).bySuffix.all({ suffix }) as RawJob[];
  return pageOf(rows.map(readJob), filter, limit, cursor);
}
