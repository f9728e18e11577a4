/**
 * Prints job events as they happen, one line each: what `gantry dev` shows so a newcomer sees
 * every job start, progress, fail, retry and finish.
 */
import type { Client } from '../client/client.js';
import type { GantryEvent } from '../core/events.js';
import { shortId as coreShortId } from '../core/short-id.js';
import { formatDuration, progressBar, shortJson } from './output.js';

/** `12:00:01.234` local time. */
function clockTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/**
 * The short id of a job (`…1a2b3c4d`): UUIDv7 ids share their leading time bits, the end tells
 * them apart. The same form the dashboard prints, and every command takes it as an id.
 */
export function shortId(id: string | undefined): string {
  return id ? coreShortId(id) : '-';
}

/** What happened, in words; `null` for events not worth a line. */
async function describe(client: Client, e: GantryEvent): Promise<string | null> {
  switch (e.type) {
    case 'job.enqueued':
      return e.state === 'scheduled' ? 'scheduled' : 'queued';
    case 'job.started':
      return `started (attempt ${e.attempt ?? '?'}${e.workerId ? ` on ${e.workerId}` : ''})`;
    case 'job.progress':
      return `progress ${progressBar(e.progress?.percent ?? 0, 20)}${e.progress?.message ? ` ${e.progress.message}` : ''}`;
    case 'job.completed': {
      const job = e.jobId ? await client.get(e.jobId) : null;
      const took =
        job?.startedAt && job.finishedAt
          ? ` in ${formatDuration(job.finishedAt.getTime() - job.startedAt.getTime())}`
          : '';
      // A job deleted on completion is gone: its event carries the result.
      const result = job ? job.result : (e.result ?? null);
      return `completed${took}${job ? '' : ' (deleted)'} → ${shortJson(result, 80)}`;
    }
    case 'job.retrying':
      return `attempt ${e.attempt ?? '?'} failed: ${e.error ?? 'unknown error'} — will retry`;
    case 'job.failed':
      return `FAILED after attempt ${e.attempt ?? '?'}: ${e.error ?? 'unknown error'}`;
    case 'job.cancelled':
    case 'job.expired':
    case 'job.deleted':
      return e.type.slice(4);
    case 'worker.joined':
    case 'worker.left':
      return `${e.type.slice(7)}: ${e.workerId ?? ''}`;
    case 'queue.paused':
    case 'queue.resumed':
      return `queue ${e.queue ?? ''} ${e.type.slice(6)}`;
    case 'schedule.fired':
      return `schedule ${e.schedule ?? ''} fired`;
    default:
      return null;
  }
}

/** Formats one event as a line, or `null` to skip it. */
export async function eventLine(client: Client, e: GantryEvent): Promise<string | null> {
  const what = await describe(client, e);
  if (what === null) return null;
  const who = e.jobId ? `${(e.jobType ?? '').padEnd(14)} ${shortId(e.jobId)}` : ''.padEnd(24);
  return `${clockTime(e.at)}  ${who}  ${what}`;
}

/**
 * Prints every event from now on, in order, until the returned function is called. Resolves
 * once the subscription is live, so nothing enqueued after it is missed. Lines go through
 * `write` so tests and other front-ends can capture them.
 */
export async function startEventLog(
  client: Client,
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<() => Promise<void>> {
  // Lines are formatted one after another (a completion reads its job), keeping their order.
  let chain: Promise<void> = Promise.resolve();
  const unsubscribe = await client.backend.eventsSubscribe({
    onEvent: (e) => {
      chain = chain
        .then(() => eventLine(client, e))
        .then((line) => {
          if (line !== null) write(line);
        })
        .catch(() => {
          // The job was deleted between its event and our read: nothing to show.
        });
    },
  });
  return async () => {
    await unsubscribe();
    await chain;
  };
}
