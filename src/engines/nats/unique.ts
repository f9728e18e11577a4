/**
 * Unique keys: the `unique` bucket maps a key (by its SHA-256, as keys may hold any text) to the
 * job that reserved it. Whether that job still holds it is the core's `uniqueKeyHeld`, read
 * from its record against the engine's clock; reservations are taken and released by
 * compare-and-set.
 */
import { createHash } from 'node:crypto';
import { NATS_POINTER_GRACE_MS } from '../../core/constants.js';
import { UniqueConflictError } from '../../core/errors.js';
import { uniqueKeyHeld } from '../../core/job.js';
import { mapError } from './connection.js';
import { isCasConflict, readJob, removeAt, type Ctx } from './context.js';

/** A reservation this call made, to release if the call fails. */
export interface Reservation {
  key: string;
  rev: number;
}

interface Holder {
  id: string;
  /** When it was reserved (engine clock): a holder whose record is not yet written holds it a while. */
  at: number;
}

const keyOf = (uniqueKey: string): string => createHash('sha256').update(uniqueKey).digest('hex');

/** True while the reservation `h` of `uniqueKey` keeps other jobs out at `now`. */
async function held(ctx: Ctx, uniqueKey: string, h: Holder, now: number): Promise<boolean> {
  const v = await readJob(ctx, h.id);
  if (!v) return now - h.at <= NATS_POINTER_GRACE_MS;
  return v.job.uniqueKey === uniqueKey && uniqueKeyHeld(v.job, now);
}

/**
 * Reserves `uniqueKey` for job `id`, or throws `UniqueConflictError` naming the job that holds
 * it. Answers the reservation (null when `id` held it already).
 */
export async function uniqueReserve(ctx: Ctx, uniqueKey: string, id: string, now: number): Promise<Reservation | null> {
  const key = keyOf(uniqueKey);
  const value = JSON.stringify({ id, at: now } satisfies Holder);
  for (;;) {
    const e = await ctx.kv.unique.get(key).catch(mapError);
    const live = e !== null && e.operation === 'PUT';
    if (live) {
      const h = e.json<Holder>();
      if (h.id === id) return null;
      if (await held(ctx, uniqueKey, h, now)) throw new UniqueConflictError(uniqueKey, h.id);
    }
    try {
      const rev = live ? await ctx.kv.unique.update(key, value, e.revision) : await ctx.kv.unique.create(key, value);
      return { key, rev };
    } catch (err) {
      if (!isCasConflict(err)) mapError(err);
    }
  }
}

/** Releases reservations of a call that failed (each only if nobody took it since). */
export async function uniqueRelease(ctx: Ctx, reservations: Reservation[]): Promise<void> {
  await Promise.all(reservations.map((r) => removeAt(ctx, 'unique', r.rev).catch(() => false)));
}
