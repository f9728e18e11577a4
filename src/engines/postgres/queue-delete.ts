/** `queueDelete` on PostgreSQL: one statement deletes a queue's settings only while it has no job. */
import type { QueueDeleteOutcome } from '../../backend/backend.js';
import { ident, run, type Statement } from './connection.js';
import type { Ctx } from './context.js';

const statements = new WeakMap<Ctx, Statement>();

/**
 * The statement of one schema. Its name takes the schema's statement prefix from a statement
 * of the context (names are per connection, and one connection may serve several schemas).
 */
function statementOf(ctx: Ctx): Statement {
  let st = statements.get(ctx);
  if (st) return st;
  const prefix = ctx.admin.queueNames.name.slice(0, -'queue_names'.length);
  const s = ident(ctx.schema);
  st = {
    name: `${prefix}queue_delete`,
    text: `WITH held AS (SELECT count(*)::int AS n FROM ${s}.jobs WHERE queue = $1),
       gone AS (DELETE FROM ${s}.queues WHERE name = $1 AND (SELECT n FROM held) = 0 RETURNING name)
       SELECT (SELECT n FROM held) AS jobs, EXISTS (SELECT 1 FROM gone) AS deleted`,
  };
  statements.set(ctx, st);
  return st;
}

/**
 * Deletes `queue`'s settings unless jobs are in it. A job enqueued by a transaction that
 * commits meanwhile is not seen: its queue then shows again, with default settings.
 */
export async function queueDelete(ctx: Ctx, queue: string): Promise<QueueDeleteOutcome> {
  const [row] = await run<{ jobs: number; deleted: boolean }>(ctx.pool, statementOf(ctx), [queue]);
  return { deleted: row?.deleted === true, jobs: row?.jobs ?? 0 };
}
