/**
 * Queue settings (pause, concurrency cap, size cap) with their counts. A queue's settings are
 * one JSON document of the core's `QueueSettingsRecord`, so fields added there need no change
 * here; an update is a compare-and-set of that document.
 */
import type { QueueDeleteOutcome, QueueInfo, QueueSettings } from '../../backend/backend.js';
import { EngineUnavailableError } from '../../core/errors.js';
import { JOB_STATES } from '../../core/job.js';
import { queueChangeEvents, queueInfoOf, queueSettingsApply } from '../../core/queue-rules.js';
import { run, type Ctx } from './context.js';
import { eventArgs } from './event-codec.js';
import { queueRows } from './queue-rows.js';

/** Attempts of an update whose settings another process changed meanwhile. */
const UPDATE_ATTEMPTS = 20;

/** Every queue that has jobs or settings, by name (counting is a few commands per queue: always done). */
export async function queuesList(ctx: Ctx, _p: { counts?: boolean } = {}): Promise<QueueInfo[]> {
  const rows = await queueRows(ctx);
  return rows.map((r) => queueInfoOf(r.name, r.settings, r.counts)).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Changes a queue's settings, creating it; emits what the core's `queueChangeEvents` says. */
export async function queueUpdate(ctx: Ctx, p: { queue: string; settings: QueueSettings }): Promise<QueueInfo> {
  for (let i = 0; i < UPDATE_ATTEMPTS; i++) {
    const [row] = await queueRows(ctx, [p.queue]);
    const before = row!.settings;
    const after = queueSettingsApply(before, p.settings);
    const now = ctx.clock.now();
    const events = queueChangeEvents(p.queue, before, after, now);
    const args = [String(now), p.queue, row!.stored, JSON.stringify(after), ...eventArgs(events)];
    if ((await run<number>(ctx, 'queue-update', args)) === 1) return queueInfoOf(p.queue, after, row!.counts);
  }
  throw new EngineUnavailableError(`the settings of queue ${p.queue} kept changing while they were updated; try again`);
}

/** Deletes a queue's settings, only while it holds no job. */
export async function queueDelete(ctx: Ctx, p: { queue: string }): Promise<QueueDeleteOutcome> {
  const [deleted, jobs] = await run<[number, number]>(ctx, 'queue-delete', [p.queue, JOB_STATES.join(',')]);
  return { deleted: deleted === 1, jobs };
}
