/** The worker registry and named leader leases, each a KV entry written by compare-and-set. */
import type { WorkerInfo } from '../../backend/backend.js';
import type { GantryEvent } from '../../core/events.js';
import { mapError } from './connection.js';
import { isCasConflict, keysOf, publishEvents, removeAt, type Ctx } from './context.js';
import { encodeKey } from './names.js';

type StoredWorker = Omit<WorkerInfo, 'startedAt' | 'lastSeenAt'> & { startedAt: number; lastSeenAt: number };

const toStored = (w: WorkerInfo, startedAt: number): StoredWorker => ({
  ...w,
  startedAt,
  lastSeenAt: w.lastSeenAt.getTime(),
});
const fromStored = (s: StoredWorker): WorkerInfo => ({
  ...s,
  startedAt: new Date(s.startedAt),
  lastSeenAt: new Date(s.lastSeenAt),
});

/** Registers or refreshes a worker; `worker.joined` the first time. */
export async function workerHeartbeat(ctx: Ctx, { worker }: { worker: WorkerInfo }): Promise<void> {
  const key = encodeKey(worker.id);
  for (;;) {
    const e = await ctx.kv.workers.get(key).catch(mapError);
    const known = e !== null && e.operation === 'PUT';
    const startedAt = known ? e.json<StoredWorker>().startedAt : worker.startedAt.getTime();
    const body = JSON.stringify(toStored(worker, startedAt));
    try {
      if (known) await ctx.kv.workers.update(key, body, e.revision);
      else await ctx.kv.workers.create(key, body);
    } catch (err) {
      if (isCasConflict(err)) continue;
      return mapError(err);
    }
    if (!known) publishEvents(ctx, [{ type: 'worker.joined', at: ctx.now(), workerId: worker.id }]);
    return;
  }
}

/** Removes a worker; `worker.left` when it was registered. */
export async function workerRemove(ctx: Ctx, { id }: { id: string }): Promise<void> {
  const e = await ctx.kv.workers.get(encodeKey(id)).catch(mapError);
  if (!e || e.operation !== 'PUT') return;
  if (!(await removeAt(ctx, 'workers', e.revision))) return workerRemove(ctx, { id });
  publishEvents(ctx, [{ type: 'worker.left', at: ctx.now(), workerId: id }]);
}

/** Every registered worker with its revision. */
async function registered(ctx: Ctx): Promise<{ w: WorkerInfo; rev: number }[]> {
  const out: { w: WorkerInfo; rev: number }[] = [];
  for (const k of await keysOf(ctx, 'workers')) {
    const e = await ctx.kv.workers.get(k).catch(mapError);
    if (e && e.operation === 'PUT') out.push({ w: fromStored(e.json<StoredWorker>()), rev: e.revision });
  }
  return out.sort((a, b) => (a.w.id < b.w.id ? -1 : a.w.id > b.w.id ? 1 : 0));
}

/** Every registered worker. */
export async function workersList(ctx: Ctx): Promise<WorkerInfo[]> {
  return (await registered(ctx)).map((r) => r.w);
}

/** Forgets workers last seen before `before` (each by compare-and-set: a fresh heartbeat wins). */
export async function workersPrune(ctx: Ctx, { before }: { before: Date }): Promise<string[]> {
  const ids: string[] = [];
  for (const { w, rev } of await registered(ctx)) {
    if (w.lastSeenAt.getTime() >= before.getTime()) continue;
    const gone = await removeAt(ctx, 'workers', rev);
    if (gone) ids.push(w.id);
  }
  const now = ctx.now();
  publishEvents(
    ctx,
    ids.map((id): GantryEvent => ({ type: 'worker.left', at: now, workerId: id })),
  );
  return ids;
}

interface Lease {
  holder: string;
  until: number;
}

/** Takes or renews lease `name` for `holder`; true when `holder` holds it afterwards. */
export async function leaderElect(ctx: Ctx, p: { name: string; holder: string; ttlMs: number }): Promise<boolean> {
  const key = encodeKey(p.name);
  const now = ctx.now();
  const e = await ctx.kv.leases.get(key).catch(mapError);
  const cur = e && e.operation === 'PUT' ? e.json<Lease>() : null;
  if (cur && cur.holder !== p.holder && cur.until > now) return false;
  const body = JSON.stringify({ holder: p.holder, until: now + p.ttlMs } satisfies Lease);
  try {
    if (e) await ctx.kv.leases.update(key, body, e.revision);
    else await ctx.kv.leases.create(key, body);
    return true;
  } catch (err) {
    if (isCasConflict(err)) return false;
    return mapError(err);
  }
}

/** Gives lease `name` up if `holder` holds it. */
export async function leaderResign(ctx: Ctx, p: { name: string; holder: string }): Promise<void> {
  const key = encodeKey(p.name);
  const e = await ctx.kv.leases.get(key).catch(mapError);
  if (!e || e.operation !== 'PUT' || e.json<Lease>().holder !== p.holder) return;
  await removeAt(ctx, 'leases', e.revision);
}
