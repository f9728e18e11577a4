/** The worker registry and named leader leases. */
import type { WorkerInfo } from '../../backend/backend.js';
import { nowArg, run, type Ctx } from './context.js';

/** A registration as stored: times as ms. */
type StoredWorker = Omit<WorkerInfo, 'startedAt' | 'lastSeenAt'> & { startedAt: number; lastSeenAt: number };

/** Registers or refreshes a worker; `worker.joined` the first time. */
export async function workerHeartbeat(ctx: Ctx, { worker }: { worker: WorkerInfo }): Promise<void> {
  const stored: StoredWorker = {
    ...worker,
    startedAt: worker.startedAt.getTime(),
    lastSeenAt: worker.lastSeenAt.getTime(),
  };
  await run(ctx, 'worker-heartbeat', [nowArg(ctx), worker.id, JSON.stringify(stored), stored.lastSeenAt]);
}

/** Removes a worker; `worker.left` when it was registered. */
export async function workerRemove(ctx: Ctx, { id }: { id: string }): Promise<void> {
  await run(ctx, 'worker-remove', [nowArg(ctx), '', id]);
}

/** Every registered worker, by id. */
export async function workersList(ctx: Ctx): Promise<WorkerInfo[]> {
  const docs = await run<string[]>(ctx, 'workers-list', []);
  return docs
    .map((d) => {
      const w = JSON.parse(d) as StoredWorker;
      return { ...w, startedAt: new Date(w.startedAt), lastSeenAt: new Date(w.lastSeenAt) };
    })
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Forgets workers last seen before `before`. */
export function workersPrune(ctx: Ctx, { before }: { before: Date }): Promise<string[]> {
  return run<string[]>(ctx, 'worker-remove', [nowArg(ctx), String(before.getTime())]);
}

/** Takes or renews lease `name` for `holder`; true when `holder` holds it afterwards. */
export async function leaderElect(ctx: Ctx, p: { name: string; holder: string; ttlMs: number }): Promise<boolean> {
  const now = ctx.clock.now();
  return (await run<number>(ctx, 'leader-elect', [String(now), p.name, p.holder, String(now + p.ttlMs)])) === 1;
}

/** Gives lease `name` up if `holder` holds it. */
export async function leaderResign(ctx: Ctx, p: { name: string; holder: string }): Promise<void> {
  await run(ctx, 'leader-elect', [nowArg(ctx), p.name, p.holder, '']);
}
