/** The worker registry and named leader leases. */
import type { WorkerInfo } from '../../backend/backend.js';
import { rowToWorker, workerParams, type WorkerRow } from './rows.js';
import type { Store } from './store.js';

/** Registers or refreshes a worker; `worker.joined` the first time. */
export function workerHeartbeat(s: Store, { worker }: { worker: WorkerInfo }): void {
  s.write((out) => {
    const known = s.st.workerExists.get(worker.id) !== undefined;
    s.st.workerUpsert.run(workerParams(worker));
    if (!known) out.push({ type: 'worker.joined', at: s.now(), workerId: worker.id });
  });
}

/** Removes a worker; `worker.left` when it was registered. */
export function workerRemove(s: Store, { id }: { id: string }): void {
  s.write((out) => {
    if (s.st.workerDelete.get(id)) out.push({ type: 'worker.left', at: s.now(), workerId: id });
  });
}

/** Every registered worker. */
export function workersList(s: Store): WorkerInfo[] {
  return (s.st.workersAll.all() as WorkerRow[]).map(rowToWorker);
}

/** Forgets workers last seen before `before`. */
export function workersPrune(s: Store, { before }: { before: Date }): string[] {
  return s.write((out) => {
    const ids = s.st.workersStale.pluck().all(before.getTime()) as string[];
    const now = s.now();
    for (const id of ids) out.push({ type: 'worker.left', at: now, workerId: id });
    return ids;
  });
}

/** Takes or renews lease `name` for `holder`; true when `holder` holds it afterwards. */
export function leaderElect(s: Store, p: { name: string; holder: string; ttlMs: number }): boolean {
  return s.write(() => {
    const now = s.now();
    const cur = s.st.leaseGet.get(p.name) as { holder: string; until: number } | undefined;
    if (cur && cur.holder !== p.holder && cur.until > now) return false;
    s.st.leaseSet.run({ name: p.name, holder: p.holder, until: now + p.ttlMs });
    return true;
  });
}

/** Gives lease `name` up if `holder` holds it. */
export function leaderResign(s: Store, p: { name: string; holder: string }): void {
  s.write(() => s.st.leaseDelete.run(p.name, p.holder));
}
