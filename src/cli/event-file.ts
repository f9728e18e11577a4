/**
 * `--event-log DIR`: every event, as one JSON line, appended to a daily file in DIR
 * (`gantry-events-YYYY-MM-DD.jsonl`), a debug log that `jq` and `grep` read. The day is the
 * event's time (from the engine's clock), in UTC, so the files of several processes agree.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Backend } from '../backend/backend.js';
import type { GantryEvent } from '../core/events.js';

/** The prefix of an event log file's name; the UTC day and `.jsonl` follow. */
export const EVENT_LOG_PREFIX = 'gantry-events-';

/** The file of the events of the UTC day of `ms`, e.g. `gantry-events-2026-12-02.jsonl`. */
export function eventLogFileName(ms: number): string {
  return `${EVENT_LOG_PREFIX}${new Date(ms).toISOString().slice(0, 10)}.jsonl`;
}

/** Appends lines to the file of each line's day, opening the next day's file when it starts. */
class DailyFiles {
  private name = '';
  private stream: WriteStream | null = null;

  constructor(private readonly dir: string) {}

  write(e: GantryEvent): void {
    const name = eventLogFileName(e.at);
    if (name !== this.name) {
      this.stream?.end();
      this.name = name;
      this.stream = createWriteStream(path.join(this.dir, name), { flags: 'a' });
    }
    this.stream!.write(`${JSON.stringify(e)}\n`);
  }

  /** Resolves once every line is written and the file closed. */
  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
  }
}

/**
 * Writes every event of `backend` from now on to daily files in `dir` (created if missing),
 * until the returned function is called; that one resolves once the lines are on disk.
 * Resolves once the subscription is live, so nothing that happens after it is missed.
 */
export async function startEventFile(backend: Backend, dir: string): Promise<() => Promise<void>> {
  mkdirSync(dir, { recursive: true });
  const files = new DailyFiles(dir);
  const unsubscribe = await backend.eventsSubscribe({ onEvent: (e) => files.write(e) });
  return async () => {
    await unsubscribe();
    await files.close();
  };
}
