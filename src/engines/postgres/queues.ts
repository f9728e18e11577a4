/** Queue settings: pause, cluster-wide concurrency cap, size cap and policy. */
import type { QueueInfo, QueueSettings } from '../../backend/backend.js';
import type { GantryEvent } from '../../core/events.js';
import { run, withTx } from './connection.js';
import { emit, type Ctx } from './context.js';
import { countJobs } from './admin.js';
import { zeroCounts } from './rows.js';

interface QueueRow {
  name: string;
  paused: boolean;
  concurrency: number | null;
  size_cap: number | null;
  size_policy: QueueInfo['sizePolicy'];
  was_paused?: boolean | null;
}

function info(name: string, row: QueueRow | undefined, counts: QueueInfo['counts'] | undefined): QueueInfo {
  return {
    name,
    paused: row?.paused ?? false,
    concurrency: row?.concurrency ?? null,
    sizeCap: row?.size_cap ?? null,
    sizePolicy: row?.size_policy ?? 'reject',
    counts: counts ?? zeroCounts(),
  };
}

/** Every queue that has jobs or settings, by name. */
export async function listQueues(ctx: Ctx): Promise<QueueInfo[]> {
  const [rows, counts] = await Promise.all([run<QueueRow>(ctx.pool, ctx.admin.queueSettings, []), countJobs(ctx)]);
  const settings = new Map(rows.map((r) => [r.name, r]));
  const names = [...new Set([...settings.keys(), ...Object.keys(counts)])].sort();
  return names.map((n) => info(n, settings.get(n), counts[n]));
}

/** Changes a queue's settings; emits `queue.paused`/`queue.resumed` when pausing changes. */
export async function updateQueue(ctx: Ctx, queue: string, s: QueueSettings): Promise<QueueInfo> {
  const t = ctx.clock.now();
  const row = await withTx(ctx.pool, async (db) => {
    const [r] = await run<QueueRow>(db, ctx.admin.queueUpsert, [
      queue,
      s.paused ?? null,
      s.concurrency !== undefined,
      s.concurrency ?? null,
      s.sizeCap !== undefined,
      s.sizeCap ?? null,
      s.sizePolicy ?? null,
    ]);
    const was = r!.was_paused ?? false;
    if (s.paused !== undefined && s.paused !== was) {
      const e: GantryEvent = { type: s.paused ? 'queue.paused' : 'queue.resumed', at: t, queue };
      await emit(ctx, db, [e], s.paused ? [] : [queue]);
    } else if (s.concurrency !== undefined) {
      // A raised cap may let waiting jobs run now.
      await emit(ctx, db, [], [queue]);
    }
    return r!;
  });
  const counts = await countJobs(ctx, [queue]);
  return info(queue, row, counts[queue]);
}
