/**
 * `--event-log DIR`: every event as one JSON line in a daily file named by the event's UTC day
 * (from the engine's clock), written by a real worker process too.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { eventLogFileName, startEventFile } from '../../src/cli/event-file.js';
import { ManualClock } from '../../src/core/clock.js';
import type { GantryEvent } from '../../src/core/events.js';
import { fixture, gantryJson, killAll, spawnGantry, tempDb, waitUntil, type Running } from './cli-helpers.js';

const db = tempDb('gantry-event-file-');
const children: Running[] = [];
afterEach(() => killAll(children));
afterAll(() => db.cleanup());

const DAY = 24 * 60 * 60 * 1000;

function lines(file: string): GantryEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as GantryEvent);
}

describe('--event-log', { timeout: 60_000 }, () => {
  it('names the file by the UTC day of the event', () => {
    expect(eventLogFileName(Date.UTC(2026, 11, 2, 23, 59, 59))).toBe('gantry-events-2026-12-02.jsonl');
    expect(eventLogFileName(Date.UTC(2026, 11, 3))).toBe('gantry-events-2026-12-03.jsonl');
  });

  it('appends each event to the file of its day, a new file when the clock passes midnight', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1, 23, 0));
    const client = await Client.connect({ url: `sqlite:${path.join(db.dir, 'days.db')}`, clock });
    const dir = path.join(db.dir, 'days');
    const stop = await startEventFile(client.backend, dir);
    try {
      await client.enqueue('a');
      await clock.advance(DAY);
      await client.enqueue('b');
      await client.backend.eventsFlush();
    } finally {
      await stop();
      await client.close();
    }
    expect(readdirSync(dir).sort()).toEqual(['gantry-events-2030-01-01.jsonl', 'gantry-events-2030-01-02.jsonl']);
    const day1 = lines(path.join(dir, 'gantry-events-2030-01-01.jsonl'));
    const day2 = lines(path.join(dir, 'gantry-events-2030-01-02.jsonl'));
    expect(day1).toMatchObject([{ type: 'job.enqueued', jobType: 'a', at: Date.UTC(2030, 0, 1, 23, 0) }]);
    expect(day2).toMatchObject([{ type: 'job.enqueued', jobType: 'b', at: Date.UTC(2030, 0, 2, 23, 0) }]);
  });

  it('a worker writes every event of a job it runs', async () => {
    const dir = path.join(db.dir, 'worker-events');
    const w = spawnGantry(
      ['--url', db.url, 'worker', '--handlers', fixture('basic-handlers.mjs')].concat([
        '--poll',
        '100ms',
        '--event-log',
        dir,
      ]),
    );
    children.push(w);
    await waitUntil(() => /worker started/.test(w.stderr), 'the worker to start');
    const job = await gantryJson<{ id: string }>(db.url, ['enqueue', 'echo', '--payload', '{"n":2}']);
    const file = (): string => path.join(dir, readdirSync(dir)[0] ?? 'none');
    await waitUntil(
      () => lines(file()).some((e) => e.jobId === job.id && e.type === 'job.completed'),
      'the completion in the event log',
    );
    // Lines are in the order events reached the worker: its own at once, another process's
    // (the enqueue) at the engine's next look. Their seqs give the order they happened in.
    const ofJob = lines(file()).filter((e) => e.jobId === job.id);
    expect(ofJob.every((e) => /^\d+$/.test(e.seq ?? ''))).toBe(true);
    const types = ofJob.sort((a, b) => Number(a.seq) - Number(b.seq)).map((e) => e.type);
    expect(types).toEqual(['job.enqueued', 'job.started', 'job.completed']);
    expect(path.basename(file())).toMatch(/^gantry-events-\d{4}-\d\d-\d\d\.jsonl$/);
    w.child.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
  });
});
