/**
 * Throughput and latency reads (`jobsCountFinished`, `jobsFindOldestDue`), the short-id lookup
 * (`JobFilter.idSuffix`) and "run it now" (`jobPromote`), with their named statements. The
 * reads use indexes the job path keeps anyway (`jobs_finished`, `jobs_claim`) or the id-tail
 * index of migration 0005, which no update touches.
 */
import { createHash } from 'node:crypto';
import type { JobFilter } from '../../backend/backend.js';
import { MAX_SUFFIX_MATCHES, idTail, pageOf } from '../../backend/job-filter.js';
import { FINISHED_BUCKET_MS, type FinishedMinute } from '../../backend/jobs-stats.js';
import { SHORT_ID_LENGTH } from '../../core/constants.js';
import { InvalidTransitionError, NotFoundError } from '../../core/errors.js';
import { WAITING_STATES, type Job } from '../../core/job.js';
import { PROMOTABLE_STATES, assertPromotable } from '../../core/promote.js';
import { run, withTx, type Statement } from './connection.js';
import { emit, type Ctx } from './context.js';
import { rowEvent } from './enqueue.js';
import { toJob, type JobRow } from './rows.js';
import { stateList } from './statements-jobs.js';

/** This module's statements for the schema `s` (quoted), named with prefix `p`. */
function statsStatements(s: string, p: string) {
  const st = (name: string, text: string): Statement => ({ name: `${p}_${name}`, text });
  const waiting = stateList(WAITING_STATES);
  return {
    /** Range scans of `jobs_finished` (queue, state, finished_at), grouped by minute. */
    finished: st(
      'stats_finished',
      `SELECT queue, state, (floor(extract(epoch FROM finished_at) * 1000 / ${FINISHED_BUCKET_MS}) * ${FINISHED_BUCKET_MS})::bigint AS minute,
         count(*)::int AS n
       FROM ${s}.jobs
       WHERE queue = ANY($1::text[]) AND state IN ('completed', 'failed') AND finished_at >= $2
       GROUP BY 1, 2, 3`,
    ),
    /**
     * Per queue, the earliest run_at among its waiting jobs. `jobs_claim` (queue, priority DESC,
     * run_at, id) holds every waiting state ordered by priority first, so the walk reads the
     * first entry of each priority present, never the whole backlog.
     */
    oldestWaiting: st(
      'stats_oldest_waiting',
      `SELECT q.queue, (
         WITH RECURSIVE band(priority) AS (
           (SELECT j.priority FROM ${s}.jobs j WHERE j.queue = q.queue AND j.state IN ${waiting}
             ORDER BY j.priority DESC LIMIT 1)
           UNION ALL
           SELECT (SELECT j.priority FROM ${s}.jobs j WHERE j.queue = q.queue AND j.state IN ${waiting}
             AND j.priority < band.priority ORDER BY j.priority DESC LIMIT 1)
           FROM band WHERE band.priority IS NOT NULL)
         SELECT min((SELECT j.run_at FROM ${s}.jobs j WHERE j.queue = q.queue AND j.state IN ${waiting}
           AND j.priority = band.priority ORDER BY j.priority DESC, j.run_at LIMIT 1))
         FROM band WHERE band.priority IS NOT NULL) AS run_at
       FROM unnest($1::text[]) AS q(queue)`,
    ),
    /** Jobs whose id ends with $2, found through `jobs_id_tail` by its last characters $1. */
    bySuffix: st(
      'stats_by_suffix',
      `SELECT * FROM ${s}.jobs WHERE right(id, ${SHORT_ID_LENGTH}) = $1 AND right(id, length($2)) = $2
       LIMIT ${MAX_SUFFIX_MATCHES}`,
    ),
    promote: st(
      'promote_one',
      `UPDATE ${s}.jobs SET state = 'queued', run_at = $2
       WHERE id = $1 AND state IN ${stateList(PROMOTABLE_STATES)} RETURNING *`,
    ),
  };
}

type StatsStatements = ReturnType<typeof statsStatements>;

const built = new WeakMap<Ctx, StatsStatements>();

/** The statements of `ctx`'s schema, named like the engine's others (a digest of the schema). */
function statements(ctx: Ctx): StatsStatements {
  let st = built.get(ctx);
  if (!st) {
    const p = `g${createHash('sha1').update(ctx.schema).digest('hex').slice(0, 10)}`;
    built.set(ctx, (st = statsStatements(`"${ctx.schema}"`, p)));
  }
  return st;
}

/** Completed and failed jobs per queue and minute since `since`. */
export async function countFinished(ctx: Ctx, queues: string[], since: Date): Promise<FinishedMinute[]> {
  const rows = await run<{ queue: string; state: string; minute: string; n: number }>(
    ctx.pool,
    statements(ctx).finished,
    [[...new Set(queues)], since],
  );
  const by = new Map<string, FinishedMinute>();
  for (const r of rows) {
    const key = `${r.queue}\0${r.minute}`;
    let m = by.get(key);
    if (!m) by.set(key, (m = { queue: r.queue, minute: new Date(Number(r.minute)), completed: 0, failed: 0 }));
    if (r.state === 'completed') m.completed += r.n;
    else m.failed += r.n;
  }
  return [...by.values()].sort(
    (a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0) || a.minute.getTime() - b.minute.getTime(),
  );
}

/** The `runAt` of each queue's oldest due waiting job, or `null`. */
export async function findOldestDue(ctx: Ctx, queues: string[]): Promise<Record<string, Date | null>> {
  const rows = await run<{ queue: string; run_at: Date | null }>(ctx.pool, statements(ctx).oldestWaiting, [queues]);
  const now = ctx.clock.now();
  const out: Record<string, Date | null> = {};
  // The earliest waiting job is due when its time has come; if it has not, none of the queue is.
  for (const r of rows) out[r.queue] = r.run_at && r.run_at.getTime() <= now ? r.run_at : null;
  return out;
}

/** A page of the jobs whose id ends with `filter.idSuffix`, the other filters applied to them. */
export async function listBySuffix(
  ctx: Ctx,
  filter: JobFilter & { idSuffix: string },
  limit: number,
  cursor: string | null,
): Promise<{ jobs: Job[]; nextCursor: string | null }> {
  const suffix = filter.idSuffix;
  const rows = await run<JobRow>(ctx.pool, statements(ctx).bySuffix, [idTail(suffix), suffix]);
  return pageOf(rows.map(toJob), filter, limit, cursor);
}

/** `scheduled`/`retrying` → `queued` with `run_at` = now; emits `job.enqueued`, waking workers. */
export async function promoteJob(ctx: Ctx, id: string): Promise<Job> {
  const t = ctx.clock.now();
  const row = await withTx(ctx.pool, async (db) => {
    const [r] = await run<JobRow>(db, statements(ctx).promote, [id, new Date(t)]);
    if (r) await emit(ctx, db, [rowEvent(r, 'job.enqueued', t)], [r.queue]);
    return r;
  });
  if (row) return toJob(row);
  const [found] = await run<JobRow>(ctx.pool, ctx.jobs.get, [id]);
  if (!found) throw new NotFoundError('job', id);
  assertPromotable(id, found.state);
  // It was promotable when read again: another change won between the two statements.
  throw new InvalidTransitionError(id, found.state, 'queued', 'it changed meanwhile; try again');
}
