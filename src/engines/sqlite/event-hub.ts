/**
 * Events and wake-ups. Every change writes its events to the `events` table in its own
 * transaction; after commit they go to this process's subscribers and waiters at once.
 * Other processes' changes are found by tailing the table on a short real timer, and only
 * when `PRAGMA data_version` says another connection committed (one cheap call per tick).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { eventMatches, type EventFilter, type GantryEvent } from '../../core/events.js';
import type { Statements } from './statements.js';

/** How often the tailer looks for other processes' commits, in real ms. */
export const SQLITE_TAIL_MS = 25;
/** The tailer keeps running this long after its last user leaves, so a worker that awaits
 * again right after claiming never misses a commit made in between, in real ms. */
const TAIL_LINGER_MS = 2_000;
/** Rows read per query while tailing or replaying. */
const PAGE = 1_000;

interface Subscriber {
  filter: EventFilter | undefined;
  onEvent: (e: GantryEvent) => void;
  /** Events at or before this seq were already delivered (or predate the subscription). */
  fromSeq: number;
}

interface Waiter {
  queues: Set<string>;
  wake: () => void;
}

interface RemoteRow {
  seq: number;
  type: string;
  queue: string | null;
  body: string;
}

/** Event log writer, local fan-out, cross-process tailer and `workAwait` waiters. */
export class EventHub {
  /** This backend instance, as written in `events.origin`. */
  readonly origin = randomUUID();
  private readonly subs = new Set<Subscriber>();
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | null = null;
  private cursor = 0;
  private dataVersion = -1;
  private idleTicks = 0;
  private closed = false;

  constructor(
    private readonly st: Statements,
    private readonly clock: Clock,
  ) {}

  /** Writes events inside the caller's transaction and gives each its `seq`. */
  insert(events: GantryEvent[]): void {
    if (events.length === 0) return;
    const info = this.st.eventsInsert.run({ origin: this.origin, events: JSON.stringify(events) });
    const first = Number(info.lastInsertRowid) - events.length + 1;
    events.forEach((e, i) => (e.seq = String(first + i)));
  }

  /** Hands committed events to this process's subscribers and waiters. */
  deliver(events: GantryEvent[]): void {
    for (const e of events) {
      for (const s of this.subs) this.send(s, e, Number(e.seq));
      if (isWakeUp(e.type, e.state) && e.queue !== undefined) this.wake(e.queue);
    }
  }

  /** Subscribes; replays events after `afterSeq` first when given. */
  subscribe(
    filter: EventFilter | undefined,
    afterSeq: string | undefined,
    onEvent: (e: GantryEvent) => void,
  ): () => void {
    const sub: Subscriber = { filter, onEvent, fromSeq: 0 };
    if (afterSeq !== undefined && /^\d+$/.test(afterSeq)) {
      let after = Number(afterSeq);
      for (;;) {
        const rows = this.st.eventsAfter.all(after, PAGE) as { seq: number; body: string }[];
        for (const r of rows) this.send(sub, parse(r), 0);
        if (rows.length < PAGE) break;
        after = rows.at(-1)!.seq;
      }
      sub.fromSeq = Math.max(after, this.maxSeq());
    } else {
      sub.fromSeq = this.maxSeq();
    }
    this.subs.add(sub);
    this.ensureTailer();
    return () => {
      this.subs.delete(sub);
      this.refTimer();
    };
  }

  /** Resolves on a wake-up for one of `queues`, after `timeoutMs` on the clock, or on abort. */
  await(queues: string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted || this.closed) return resolve();
      const waiter: Waiter = { queues: new Set(queues), wake: () => done() };
      const cancel = this.clock.setTimeout(() => done(), timeoutMs);
      const done = (): void => {
        this.waiters.delete(waiter);
        cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(waiter);
      this.ensureTailer();
    });
  }

  /** Stops the tailer, resolves every waiter, drops every subscriber. */
  close(): void {
    this.closed = true;
    for (const w of [...this.waiters]) w.wake();
    this.subs.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private send(s: Subscriber, e: GantryEvent, seq: number): void {
    if (seq !== 0 && seq <= s.fromSeq) return;
    if (!eventMatches(e, s.filter)) return;
    try {
      s.onEvent(e);
    } catch {
      // A subscriber's bug must not break the change that produced the event.
    }
  }

  private wake(queue: string): void {
    for (const w of [...this.waiters]) if (w.queues.has(queue)) w.wake();
  }

  private maxSeq(): number {
    return this.st.eventsMaxSeq.pluck().get() as number;
  }

  private ensureTailer(): void {
    if (this.closed) return;
    if (!this.timer) {
      this.cursor = this.maxSeq();
      this.dataVersion = this.st.dataVersion.pluck().get() as number;
      this.timer = setInterval(() => this.tick(), SQLITE_TAIL_MS);
    }
    this.idleTicks = 0;
    this.refTimer();
  }

  /** A pending subscription keeps the process alive (e.g. `waitFor`); waiters alone do not. */
  private refTimer(): void {
    if (!this.timer) return;
    if (this.subs.size > 0) this.timer.ref();
    else this.timer.unref();
  }

  private tick(): void {
    if (this.subs.size === 0 && this.waiters.size === 0) {
      if (++this.idleTicks * SQLITE_TAIL_MS > TAIL_LINGER_MS && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
        return;
      }
    } else this.idleTicks = 0;
    try {
      const dv = this.st.dataVersion.pluck().get() as number;
      if (dv === this.dataVersion) return;
      this.dataVersion = dv;
      this.readRemote();
    } catch {
      // The file may be busy or closing; the next tick tries again.
    }
  }

  private readRemote(): void {
    for (;;) {
      const rows = this.st.eventsRemote.all({ after: this.cursor, origin: this.origin, limit: PAGE }) as RemoteRow[];
      for (const r of rows) {
        this.cursor = r.seq;
        if (this.subs.size > 0) {
          const e = parse(r);
          for (const s of this.subs) this.send(s, e, r.seq);
        }
        if (r.queue !== null && isWakeUp(r.type)) this.wake(r.queue);
      }
      if (rows.length < PAGE) return;
    }
  }
}

function parse(r: { seq: number; body: string }): GantryEvent {
  const e = JSON.parse(r.body) as GantryEvent;
  e.seq = String(r.seq);
  return e;
}

/** Events after which a waiting worker may find work it could not claim before. */
function isWakeUp(type: string, state?: string): boolean {
  return (type === 'job.enqueued' && state !== 'scheduled') || type === 'queue.resumed';
}
