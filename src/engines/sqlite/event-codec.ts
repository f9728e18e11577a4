/**
 * The stored form of one change's events (`events.packed`, migration 0002). A batch of claims
 * or completions is many events that differ only in job id and attempt; each such run is
 * stored once as a template with the ids and attempts beside it, about a fifth of the JSON of
 * the events one by one, so a change writes fewer WAL pages and less JSON is built.
 */
import type { GantryEvent } from '../../core/events.js';

/** A run of alike job events `[template, ids, attempts]`, or one event on its own `[event]`. */
type Group = [GantryEvent] | [GantryEvent, string[], number[]];

/** The keys a job event of a run may have; any other key (progress, error, seq...) stands alone. */
const RUN_KEYS = new Set(['type', 'at', 'jobId', 'jobType', 'queue', 'state', 'attempt', 'workerId']);

function runnable(e: GantryEvent): boolean {
  if (typeof e.jobId !== 'string' || typeof e.attempt !== 'number') return false;
  for (const k in e) if (!RUN_KEYS.has(k)) return false;
  return true;
}

function sameRun(t: GantryEvent, e: GantryEvent): boolean {
  return (
    t.type === e.type &&
    t.at === e.at &&
    t.jobType === e.jobType &&
    t.queue === e.queue &&
    t.state === e.state &&
    t.workerId === e.workerId
  );
}

/** The packed text of `events`, in order. */
export function packEvents(events: readonly GantryEvent[]): string {
  const groups: Group[] = [];
  let run: [GantryEvent, string[], number[]] | null = null;
  for (const e of events) {
    if (!runnable(e)) {
      groups.push([e]);
      run = null;
    } else if (run !== null && sameRun(run[0], e)) {
      run[1].push(e.jobId!);
      run[2].push(e.attempt!);
    } else {
      // Placeholders keep the template's key order, which each unpacked event then has.
      run = [{ ...e, jobId: '', attempt: 0 }, [e.jobId!], [e.attempt!]];
      groups.push(run);
    }
  }
  return JSON.stringify(groups);
}

/** The events of a packed text, in the order they were packed. */
export function unpackEvents(text: string): GantryEvent[] {
  const out: GantryEvent[] = [];
  for (const g of JSON.parse(text) as Group[]) {
    if (g.length === 1) out.push(g[0]);
    else {
      const [t, ids, attempts] = g;
      for (let i = 0; i < ids.length; i++) out.push({ ...t, jobId: ids[i]!, attempt: attempts[i]! });
    }
  }
  return out;
}
