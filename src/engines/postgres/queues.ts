/** Queue settings: pause, cluster-wide concurrency cap, size cap and policy. */
import type { QueueDeleteOutcome, QueueInfo, QueueSettings } from '../../backend/backend.js';
import { queueSettingsOfRow, type QueueRow as QueueRowOf } from '../../backend/queue-row.js';
import {
  DEFAULT_QUEUE_SETTINGS,
  queueChangeEvents,
  queueInfoOf,
  queueSettingsApply,
  type QueueSettingsRecord,
} from '../../core/queue-rules.js';
import { run, withTx } from './connection.js';
import { emit, type Ctx } from './context.js';
import { jobsCount } from './jobs-query.js';

type QueueRow = QueueRowOf<boolean>;

function settingsOf(r: QueueRow | undefined): QueueSettingsRecord {
  if (!r) return { ...DEFAULT_QUEUE_SETTINGS };
  return queueSettingsOfRow(r, r.paused);
}

/** Every queue that has jobs or settings, by name (always counted: the names come from the counts too). */
export async function queuesList(ctx: Ctx, _p: { counts?: boolean } = {}): Promise<QueueInfo[]> {
  const [rows, counts] = await Promise.all([run<QueueRow>(ctx.pool, ctx.admin.queueSettings, []), jobsCount(ctx, {})]);
  const settings = new Map(rows.map((r) => [r.name, r]));
  const names = [...new Set([...settings.keys(), ...Object.keys(counts)])].sort();
  return names.map((n) => queueInfoOf(n, settingsOf(settings.get(n)), counts[n]));
}

/** Changes a queue's settings, creating it; emits what the core's `queueChangeEvents` says. */
export async function queueUpdate(ctx: Ctx, p: { queue: string; settings: QueueSettings }): Promise<QueueInfo> {
  const t = ctx.clock.now();
  const after = await withTx(ctx.pool, async (db) => {
    await run(db, ctx.admin.queueEnsure, [p.queue]);
    const [row] = await run<QueueRow>(db, ctx.admin.queueLock, [p.queue]);
    const before = settingsOf(row);
    const next = queueSettingsApply(before, p.settings);
    await run(db, ctx.admin.queueUpsert, [
      p.queue,
      next.paused,
      next.concurrency,
      next.sizeCap,
      next.sizePolicy,
      next.timeoutMs,
      next.maxAttempts,
      next.weight,
    ]);
    await emit(ctx, db, queueChangeEvents(p.queue, before, next, t));
    return next;
  });
  const counts = await jobsCount(ctx, { queues: [p.queue] });
  return queueInfoOf(p.queue, after, counts[p.queue]);
}

/** Deletes a queue's settings unless jobs are in it (see the statement `queueDelete`). */
export async function queueDelete(ctx: Ctx, p: { queue: string }): Promise<QueueDeleteOutcome> {
  const [row] = await run<{ jobs: number; deleted: boolean }>(ctx.pool, ctx.admin.queueDelete, [p.queue]);
  return { deleted: row?.deleted === true, jobs: row?.jobs ?? 0 };
}
