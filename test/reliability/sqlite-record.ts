/**
 * Reads what `test/fixtures/recording-handlers.mjs` recorded and rebuilds each attempt as a
 * time interval, so tests can prove no job ran twice at the same time across processes.
 */
import { existsSync, readFileSync } from 'node:fs';

/** One line of the record. */
export interface RecordLine {
  kind: 'start' | 'end' | 'abort';
  id: string;
  attempt: number;
  pid: number;
  t: number;
}

/** One attempt of one job in one process; `end` is `null` while it runs (or if the process died). */
export interface Interval {
  id: string;
  attempt: number;
  pid: number;
  start: number;
  end: number | null;
  outcome: 'end' | 'abort' | null;
}

/** Parses the record file (missing file: nothing recorded yet). */
export function readRecord(file: string): RecordLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as RecordLine);
}

/** Pairs every `start` with the `end`/`abort` of the same job, attempt and process. */
export function intervals(lines: RecordLine[]): Interval[] {
  const open = new Map<string, Interval>();
  const out: Interval[] = [];
  for (const l of lines) {
    const key = `${l.id}|${l.attempt}|${l.pid}`;
    if (l.kind === 'start') {
      const iv: Interval = { id: l.id, attempt: l.attempt, pid: l.pid, start: l.t, end: null, outcome: null };
      open.set(key, iv);
      out.push(iv);
    } else {
      const iv = open.get(key);
      if (!iv) throw new Error(`record has ${l.kind} without start: ${JSON.stringify(l)}`);
      iv.end = l.t;
      iv.outcome = l.kind;
      open.delete(key);
    }
  }
  return out;
}

/**
 * Pairs of intervals of the same job that overlap in time. `openEnd` closes intervals that
 * never ended (their process was killed at that time).
 */
export function overlaps(all: Interval[], openEnd: number): [Interval, Interval][] {
  const byId = new Map<string, Interval[]>();
  for (const iv of all) byId.set(iv.id, [...(byId.get(iv.id) ?? []), iv]);
  const bad: [Interval, Interval][] = [];
  for (const list of byId.values()) {
    list.sort((a, b) => a.start - b.start);
    // Compare each start with the interval reaching furthest so far, not just the one before.
    let furthest = list[0]!;
    for (const iv of list.slice(1)) {
      if (iv.start < (furthest.end ?? openEnd)) bad.push([furthest, iv]);
      if ((iv.end ?? openEnd) > (furthest.end ?? openEnd)) furthest = iv;
    }
  }
  return bad;
}
