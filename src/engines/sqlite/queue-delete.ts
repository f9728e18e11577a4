/** `queueDelete` on SQLite: a queue's settings go, in one write transaction, only while it has no job. */
import type { QueueDeleteOutcome } from '../../backend/backend.js';
import type { Statement } from 'better-sqlite3';
import type { Db } from './connection.js';
import { jobsCount } from './jobs-query.js';
import type { Store } from './store.js';

const deletes = new WeakMap<Db, Statement>();

/** Deletes `queue`'s settings unless jobs are in it; counts through the per-state indexes. */
export function queueDelete(s: Store, queue: string): QueueDeleteOutcome {
  let statement = deletes.get(s.db);
  if (!statement) deletes.set(s.db, (statement = s.db.prepare('DELETE FROM queues WHERE name = ?')));
  const del = statement;
  return s.write(() => {
    const counts = jobsCount(s, [queue])[queue];
    const jobs = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : 0;
    if (jobs > 0) return { deleted: false, jobs };
    return { deleted: del.run(queue).changes > 0, jobs: 0 };
  });
}
