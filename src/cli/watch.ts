/**
 * `gantry jobs watch`: follows one job until it ends. Events drive the display; a slow poll
 * backs them up so a missed event never leaves the watcher hanging.
 */
import type { Client } from '../client/client.js';
import { NotFoundError } from '../core/errors.js';
import type { GantryEvent } from '../core/events.js';
import { completedJob, isFinal, type Job } from '../core/job.js';
import { jobToJson } from '../core/serialize.js';
import { formatDuration, formatTime, progressBar, shortJson } from './output.js';
import { workersServing } from './serving.js';

/** How often the watcher re-reads the job when no event came. */
const WATCH_POLL_MS = 1_000;

/** One status line: state, bar and message, and why it is still waiting when it is. */
function statusLine(job: Job, note: string): string {
  const pct = job.state === 'completed' ? 100 : (job.progress?.percent ?? 0);
  const msg = job.progress?.message ? `  ${job.progress.message}` : '';
  return `${job.state.padEnd(9)} ${progressBar(pct)}  attempt ${job.attempts}/${job.maxAttempts}${msg}${note ? `  — ${note}` : ''}`;
}

/** The closing line: outcome, duration, result or last error. */
function outcomeLine(job: Job): string {
  const took =
    job.startedAt && job.finishedAt ? ` in ${formatDuration(job.finishedAt.getTime() - job.startedAt.getTime())}` : '';
  if (job.state === 'completed') return `completed${took}: ${shortJson(job.result, 200)}`;
  const err = job.errors.at(-1);
  return `${job.state}${took}${err ? `: ${err.message}` : ''}`;
}

/**
 * Why a job that is not running yet waits: when a delayed or retrying job will run, and
 * whether a live worker takes its queue at all (else it would wait forever without a word).
 * The registry is read at most once per poll period.
 */
class WaitingNote {
  private checkedAt = -Infinity;
  private serving: { workers: number; paused: boolean } | null = null;
  private warned = false;

  constructor(
    private readonly client: Client,
    private readonly tty: boolean,
  ) {}

  private async servingOf(queue: string): Promise<{ workers: number; paused: boolean }> {
    const now = Date.now();
    if (!this.serving || now - this.checkedAt >= WATCH_POLL_MS) {
      this.serving = await workersServing(this.client, queue);
      this.checkedAt = now;
    }
    return this.serving;
  }

  /** The note for the status line, or `''`. */
  async note(job: Job): Promise<string> {
    if (job.state === 'scheduled' || job.state === 'retrying') {
      const at = formatTime(job.runAt);
      const left = job.runAt.getTime() - this.client.backend.clock.now();
      // The countdown changes every second: only on a terminal, where the line is redrawn in place.
      return left > 0 ? (this.tty ? `runs in ${formatDuration(left)}, at ${at}` : `runs at ${at}`) : 'due now';
    }
    if (job.state !== 'queued') return '';
    const { workers, paused } = await this.servingOf(job.queue);
    if (paused) return `queue ${job.queue} is paused; resume it with: gantry queues resume ${job.queue}`;
    if (workers === 0)
      return `no live worker takes queue ${job.queue}; start one with: gantry worker --queues ${job.queue}`;
    return '';
  }

  /** With --json, the same warning once on stderr (stdout carries only events). */
  async warn(job: Job): Promise<void> {
    if (this.warned || job.state !== 'queued') return;
    const note = await this.note(job);
    if (!note) return;
    this.warned = true;
    process.stderr.write(`warning: ${note}\n`);
  }
}

/** Draws the live line: redrawn in place on a terminal, one line per change otherwise. */
class Display {
  private last = '';
  /** True on a terminal: the line is redrawn in place. */
  readonly tty = Boolean(process.stdout.isTTY);

  show(line: string): void {
    if (line === this.last) return;
    this.last = line;
    if (this.tty) process.stdout.write(`\r\x1b[2K${line}`);
    else process.stdout.write(`${line}\n`);
  }

  end(line: string): void {
    if (this.tty) process.stdout.write('\n');
    process.stdout.write(`${line}\n`);
  }
}

/**
 * Follows job `id` until it is final and returns it. With `json`, prints each event as one
 * JSON line and the final job as the last line (NDJSON).
 */
export async function watchJob(client: Client, input: string, json: boolean): Promise<Job> {
  // A short id is resolved once: events are filtered by the full id.
  const id = await client.resolveId(input);
  const abort = new AbortController();
  const events = client.events({ filter: { jobId: id }, signal: abort.signal });
  const display = new Display();
  const waiting = new WaitingNote(client, display.tty);
  let pending: Promise<IteratorResult<GantryEvent>> | null = null;
  let eventsEnded = false;
  let completed: GantryEvent | null = null;
  try {
    let job = await client.get(id);
    if (!job) throw new NotFoundError('job', id);
    while (!isFinal(job.state)) {
      if (!json) display.show(statusLine(job, await waiting.note(job)));
      else await waiting.warn(job);
      if (!eventsEnded) pending ??= events.next();
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), WATCH_POLL_MS)));
      const next = await Promise.race(pending ? [pending, tick] : [tick]);
      clearTimeout(timer);
      if (next !== null) {
        pending = null;
        if (next.done) eventsEnded = true;
        else {
          if (next.value.type === 'job.completed') completed = next.value;
          if (next.value.type === 'job.deleted') throw new NotFoundError('job', id);
          if (json) process.stdout.write(`${JSON.stringify(next.value)}\n`);
        }
      }
      const fresh = await client.get(id);
      if (fresh) job = fresh;
      // Deleted on completion: its job.completed event (seen, or still on its way) says how it ended.
      else if (completed) job = completedJob(job, completed.result, new Date(completed.at));
      else if (!job.deleteOnComplete || eventsEnded) throw new NotFoundError('job', id);
    }
    if (json) process.stdout.write(`${JSON.stringify(jobToJson(job))}\n`);
    else {
      display.show(statusLine(job, ''));
      display.end(outcomeLine(job));
    }
    return job;
  } finally {
    abort.abort();
  }
}
