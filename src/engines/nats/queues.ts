/**
 * Queue settings, one JSON document of the whole `QueueSettingsRecord` per queue in the
 * `queues` bucket (so a settings field added later needs no change here), written by
 * compare-and-set, with their counts.
 */
import type { QueueDeleteOutcome, QueueInfo, QueueSettings } from '../../backend/backend.js';
import {
  DEFAULT_QUEUE_SETTINGS,
  queueChangeEvents,
  queueInfoOf,
  queueSettingsApply,
  type QueueSettingsRecord,
} from '../../core/queue-rules.js';
import { mapError } from './connection.js';
import { isCasConflict, keysOf, publishEvents, removeAt, type Ctx } from './context.js';
import { jobsCount } from './jobs-query.js';

/** A queue's settings with the revision a compare-and-set needs (0: none stored). */
async function settingsEntry(
  ctx: Ctx,
  queue: string,
): Promise<{ settings: QueueSettingsRecord; rev: number; exists: boolean }> {
  const e = await ctx.kv.queues.get(queue).catch(mapError);
  if (!e || e.operation !== 'PUT')
    return { settings: { ...DEFAULT_QUEUE_SETTINGS }, rev: e?.revision ?? 0, exists: false };
  return {
    settings: { ...DEFAULT_QUEUE_SETTINGS, ...e.json<Partial<QueueSettingsRecord>>() },
    rev: e.revision,
    exists: true,
  };
}

/**
 * How long a process uses a queue's settings it read without reading them again, ms of
 * monotonic time: a backstop, since every change of settings (a `queue.*` event, seen by
 * this process's wake-up subscription, or a change made here) drops the copy at once.
 */
const SETTINGS_KEPT_MS = 1_000;

/** A queue's settings (the defaults when none are stored), as this process read them last. */
export async function queueSettings(ctx: Ctx, queue: string): Promise<QueueSettingsRecord> {
  const kept = ctx.settings.get(queue);
  if (kept && performance.now() - kept.at < SETTINGS_KEPT_MS) return kept.settings;
  const settings = (await settingsEntry(ctx, queue)).settings;
  ctx.settings.set(queue, { settings, at: performance.now() });
  return settings;
}

/** Makes sure a queue that receives jobs is known (with default settings), once per process. */
export async function queueEnsure(ctx: Ctx, queue: string): Promise<void> {
  if (ctx.knownQueues.has(queue)) return;
  try {
    await ctx.kv.queues.create(queue, JSON.stringify(DEFAULT_QUEUE_SETTINGS));
  } catch (err) {
    if (!isCasConflict(err)) mapError(err);
  }
  ctx.knownQueues.add(queue);
}

/** Names of every queue with settings. */
export async function queueNames(ctx: Ctx): Promise<string[]> {
  return (await keysOf(ctx, 'queues')).sort();
}

/** Every queue that has jobs or settings, by name. */
export async function queuesList(ctx: Ctx, p: { counts?: boolean } = {}): Promise<QueueInfo[]> {
  const counts = p.counts === false ? {} : await jobsCount(ctx, {});
  const names = [...new Set([...(await queueNames(ctx)), ...Object.keys(counts)])].sort();
  return Promise.all(names.map(async (n) => queueInfoOf(n, await queueSettings(ctx, n), counts[n])));
}

/** Changes a queue's settings, creating it; emits what the core's `queueChangeEvents` says. */
export async function queueUpdate(ctx: Ctx, p: { queue: string; settings: QueueSettings }): Promise<QueueInfo> {
  for (;;) {
    const cur = await settingsEntry(ctx, p.queue);
    const next = queueSettingsApply(cur.settings, p.settings);
    const body = JSON.stringify(next);
    try {
      if (cur.exists) await ctx.kv.queues.update(p.queue, body, cur.rev);
      else await ctx.kv.queues.create(p.queue, body);
    } catch (err) {
      if (isCasConflict(err)) continue;
      return mapError(err);
    }
    ctx.knownQueues.add(p.queue);
    ctx.settings.delete(p.queue);
    publishEvents(ctx, queueChangeEvents(p.queue, cur.settings, next, ctx.now()));
    return queueInfoOf(p.queue, next, (await jobsCount(ctx, { queues: [p.queue] }))[p.queue]);
  }
}

/** Deletes a queue's settings, only while it holds no job. */
export async function queueDelete(ctx: Ctx, p: { queue: string }): Promise<QueueDeleteOutcome> {
  const counts = (await jobsCount(ctx, { queues: [p.queue] }))[p.queue];
  const jobs = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
  if (jobs > 0) return { deleted: false, jobs };
  const cur = await settingsEntry(ctx, p.queue);
  if (!cur.exists) return { deleted: false, jobs: 0 };
  if (!(await removeAt(ctx, 'queues', cur.rev))) return queueDelete(ctx, p);
  ctx.knownQueues.delete(p.queue);
  ctx.settings.delete(p.queue);
  return { deleted: true, jobs: 0 };
}
