/** Bulk retry / cancel / delete by the same filters as the job list. */
import type { FastifyInstance } from 'fastify';
import type { Client, ListOptions } from '../../client/client.js';
import { MAX_BULK_JOBS, MAX_LIST_LIMIT } from '../../core/constants.js';
import { GantryError, ValidationError } from '../../core/errors.js';
import { FINAL_STATES, JOB_STATES, LIVE_STATES, type JobState } from '../../core/job.js';
import type { ServerContext } from '../context.js';
import { isUnreachable } from '../errors.js';
import { AUTH_ERRORS, errorResponses } from '../schemas/common.js';
import { BulkParams, BulkQuery, BulkResult } from '../schemas/jobs.js';
import { listOptions } from './filters.js';

type Action = 'retry' | 'cancel' | 'delete';

/** States each action applies to; jobs in other states are left out of the match. */
const SOURCE_STATES: Record<Action, readonly JobState[]> = {
  retry: FINAL_STATES,
  cancel: LIVE_STATES,
  delete: FINAL_STATES,
};

/** Most refused jobs listed in one answer. */
const MAX_SKIPPED_LISTED = 100;

const PAGE = 500;

interface Outcome {
  matched: number;
  affected: number;
  skipped: { id: string; code: string; message: string }[];
  more: boolean;
  /** Jobs the filter matched in states the action does not apply to, by state. */
  ineligible: Partial<Record<JobState, number>>;
}

async function applyOne(client: Client, action: Action, id: string, force: boolean): Promise<void> {
  if (action === 'retry') await client.retry(id);
  else if (action === 'cancel') await client.cancel(id);
  else await client.delete(id, { force });
}

/**
 * Pages through the matching jobs (newest first, by id cursor, so changed jobs are not seen
 * twice) and applies the action to each. A job that changed state meanwhile is reported in
 * `skipped`, not failed on; an unreachable engine ends the call with 503.
 */
export async function runBulk(client: Client, action: Action, query: BulkQuery): Promise<Outcome> {
  const { force: forceText, ...filters } = query;
  const force = forceText === 'true';
  const opts = listOptions(filters);
  if (Object.keys(opts).length === 0) {
    throw new ValidationError('a bulk action needs at least one filter (state, queue, type, tag, id or text)');
  }
  const allowed = action === 'delete' && force ? JOB_STATES : SOURCE_STATES[action];
  const asked = Array.isArray(opts.state) ? opts.state : opts.state ? [opts.state] : [...JOB_STATES];
  const states = asked.filter((s) => allowed.includes(s));
  const out: Outcome = { matched: 0, affected: 0, skipped: [], more: false, ineligible: {} };
  // Told, not done silently: how many matching jobs the action leaves alone, and in which states.
  const others = asked.filter((s) => !allowed.includes(s));
  if (others.length > 0) out.ineligible = await countByState(client, { ...opts, state: others });
  if (states.length === 0) return out;
  let cursor: string | null = null;
  do {
    const page = await client.list({ ...opts, state: states, limit: PAGE, cursor });
    for (const job of page.jobs) {
      if (out.matched >= MAX_BULK_JOBS) return { ...out, more: true };
      out.matched++;
      try {
        await applyOne(client, action, job.id, force);
        out.affected++;
      } catch (err) {
        if (!(err instanceof GantryError) || isUnreachable(err)) throw err;
        if (out.skipped.length < MAX_SKIPPED_LISTED)
          out.skipped.push({ id: job.id, code: err.code, message: err.message });
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/**
 * How many jobs match `opts`, by state: from the engine's counts when the filter names only
 * queues (and states), else by listing them, up to `MAX_BULK_JOBS`.
 */
async function countByState(client: Client, opts: ListOptions): Promise<Partial<Record<JobState, number>>> {
  const out: Partial<Record<JobState, number>> = {};
  const states = Array.isArray(opts.state) ? opts.state : opts.state ? [opts.state] : [...JOB_STATES];
  if (Object.keys(opts).every((k) => k === 'queue' || k === 'state') && opts.queue) {
    const byQueue = await client.counts(Array.isArray(opts.queue) ? opts.queue : [opts.queue]);
    for (const counts of Object.values(byQueue))
      for (const st of states) if (counts[st]) out[st] = (out[st] ?? 0) + counts[st];
    return out;
  }
  let cursor: string | null = null;
  let seen = 0;
  do {
    const page = await client.list({ ...opts, limit: MAX_LIST_LIMIT, cursor });
    for (const j of page.jobs) out[j.state] = (out[j.state] ?? 0) + 1;
    seen += page.jobs.length;
    cursor = page.nextCursor;
  } while (cursor && seen < MAX_BULK_JOBS);
  return out;
}

/** Registers `POST /jobs/bulk/{retry|cancel|delete}`. */
export function registerBulkRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: { action: Action }; Querystring: BulkQuery }>(
    '/jobs/bulk/:action',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['jobs'],
        summary: 'Retry, cancel or delete every job matching the filters',
        description:
          `Same filters as GET /jobs (at least one). Retry applies to final states, cancel to live ones, ` +
          `delete to final ones (any state with force=true). At most ${MAX_BULK_JOBS} jobs per call; ` +
          '`more: true` says to call again. `ineligible` counts, by state, the matching jobs the action does ' +
          'not apply to (live jobs for a delete without force), so none is left out silently.',
        params: BulkParams,
        querystring: BulkQuery,
        response: { 200: BulkResult, ...errorResponses(400, ...AUTH_ERRORS) },
      },
    },
    async (request) => runBulk(await ctx.engine.get(), request.params.action, request.query),
  );
}
