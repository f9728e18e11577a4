/** "Run it now" (`jobPromote`): a delayed or retrying job → queued at once, waking workers. */
import { jobEvent } from '../../core/events.js';
import { NotFoundError } from '../../core/errors.js';
import type { Job } from '../../core/job.js';
import { assertPromotable, PROMOTABLE_STATES } from '../../core/promote.js';
import type { Db } from './connection.js';
import { readJob, type RawJob } from './rows.js';
import type { Store } from './store.js';

const PROMOTE_ONE = `UPDATE jobs SET state = 'queued', run_at = @now
  WHERE id = @id AND state IN (${PROMOTABLE_STATES.map((x) => `'${x}'`).join(', ')})`;

const prepared = new WeakMap<Db, ReturnType<Db['prepare']>>();

/** `scheduled`/`retrying` → `queued` with `run_at` = now; emits `job.enqueued`. */
export function jobPromote(s: Store, id: string): Job {
  return s.write((out) => {
    const read = (): Job | null => {
      const row = s.st.jobGet.get(id) as RawJob | undefined;
      return row ? readJob(row) : null;
    };
    const before = read();
    if (!before) throw new NotFoundError('job', id);
    assertPromotable(id, before.state);
    const now = s.now();
    let st = prepared.get(s.db);
    if (!st) prepared.set(s.db, (st = s.db.prepare(PROMOTE_ONE)));
    st.run({ id, now });
    const job = read()!;
    // A `queued` job.enqueued is what wakes idle workers of the queue (see `EventHub`).
    out.push(jobEvent(job, 'job.enqueued', now));
    return job;
  });
}
