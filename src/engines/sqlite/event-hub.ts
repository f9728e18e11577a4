/**
 * Events and wake-ups. Every change writes its events to the `events` table in its own
 * transaction, as one row (so a batch of 100 completions costs one row, not 100); after
 * commit they go to this process's subscribers and waiters at once. An event's `seq` is
 * `row * 2^20 + index in the row`: numeric, increasing, and enough to resume a replay.
 * Other processes' changes are found by tailing the table on a short real timer, and only
 * when `PRAGMA data_version` says another connection committed (one cheap call per tick).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { eventMatches, wakesWorkers, type EventFilter, type EventType, type GantryEvent } from '../../core/events.js';
import { packEvents, unpackEvents } from './event-codec.js';
import type { Statements } from './statements.js';

/** How often the tailer looks for other processes' commits, in real ms: one cheap `PRAGMA data_version` per
 * tick, so a short period buys cross-process wake-ups within a few ms. */
export const SQLITE_TAIL_MS = 5;
/** The tailer keeps running this long after its last user leaves, so a worker that awaits
 * again right after claiming never misses a commit made in between, in real ms. */
const TAIL_LINGER_MS = 2_000;
/** Rows read per query while tailing or replaying. */
const PAGE = 200;
/** Events per row at most; the row's seq times this plus the index is the event's seq. */
const SEQ_SHIFT = 2 ** 20;

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

/** An events row: `packed` since schema version 2, else `body`, the JSON array of the events. */
interface EventRow {
  seq: number;
  body: string | null;
  packed: string | null;
}

interface RemoteRow extends EventRow {
  wake: string | null;
  /** The row's event types as `,a,b,` (schema version 3), or NULL in older rows. */
  types: string | null;
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
  /** Per event type: does a subscriber of this process take it? Cleared when subscribers change. */
  private readonly wantedTypes = new Map<EventType, boolean>();

  constructor(
    private readonly st: Statements,
    private readonly clock: Clock,
  ) {}

  /** Writes events inside the caller's transaction; replaces each in `events` with a copy that has its `seq`. */
  insert(events: GantryEvent[], at: number): void {
    for (let start = 0; start < events.length; start += SEQ_SHIFT) {
      const chunk = events.slice(start, start + SEQ_SHIFT);
      const wake = new Set<string>();
      const types = new Set<string>();
      for (const e of chunk) {
        types.add(e.type);
        if (e.queue !== undefined && wakesWorkers(e)) wake.add(e.queue);
      }
      const row = this.st.eventsInsert.run({
        at,
        origin: this.origin,
        wake: wake.size > 0 ? JSON.stringify([...wake]) : null,
        packed: packEvents(chunk),
        types: `,${[...types].join(',')},`,
      });
      const base = Number(row.lastInsertRowid) * SEQ_SHIFT;
      // Only events a subscriber here will be handed need their seq (a copy each): a worker
      // takes no job.started or job.completed, two copies per job it would throw away.
      for (let i = 0; i < chunk.length; i++) {
        if (this.wanted(chunk[i]!.type)) events[start + i] = withSeq(chunk[i]!, base + i);
      }
    }
  }

  /** Hands committed events to this process's subscribers and waiters. */
  deliver(events: GantryEvent[]): void {
    for (const e of events) {
      if (this.wanted(e.type)) for (const s of this.subs) this.send(s, e, Number(e.seq));
      if (wakesWorkers(e) && e.queue !== undefined) this.wake(e.queue);
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
      sub.fromSeq = Number(afterSeq);
      let row = Math.floor(sub.fromSeq / SEQ_SHIFT);
      for (;;) {
        const rows = this.st.eventsFrom.all(row, PAGE) as EventRow[];
        for (const r of rows) for (const e of parse(r)) this.send(sub, e, Number(e.seq));
        if (rows.length < PAGE) break;
        row = rows.at(-1)!.seq + 1;
      }
    }
    sub.fromSeq = Math.max(sub.fromSeq, this.maxSeq() * SEQ_SHIFT + SEQ_SHIFT - 1);
    this.subs.add(sub);
    this.wantedTypes.clear();
    this.ensureTailer();
    return () => {
      this.subs.delete(sub);
      this.wantedTypes.clear();
      this.refTimer();
    };
  }

  /**
   * Hands this process's subscribers the events other processes committed so far, now rather
   * than at the tailer's next tick (this process's own are delivered at commit).
   */
  flush(): void {
    if (!this.timer || this.subs.size === 0) return;
    this.dataVersion = this.st.dataVersion.pluck().get() as number;
    this.readRemote();
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

  /** True when a subscriber's filter may take events of `type` (the rest of it is checked on send). */
  private wanted(type: EventType): boolean {
    let yes = this.wantedTypes.get(type);
    if (yes === undefined) {
      yes = [...this.subs].some((s) => !s.filter?.types?.length || s.filter.types.includes(type));
      this.wantedTypes.set(type, yes);
    }
    return yes;
  }

  /** True when a subscriber here may take one of a row's `types` (`,a,b,`; NULL: unknown, so yes). */
  private wantsAny(types: string | null): boolean {
    if (types === null) return true;
    return types.split(',').some((t) => t !== '' && this.wanted(t as EventType));
  }

  private send(s: Subscriber, e: GantryEvent, seq: number): void {
    if (seq <= s.fromSeq) return;
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
      const bodies = this.subs.size > 0 ? 1 : 0;
      const rows = this.st.eventsRemote.all({
        after: this.cursor,
        origin: this.origin,
        limit: PAGE,
        bodies,
      }) as RemoteRow[];
      for (const r of rows) {
        this.cursor = r.seq;
        if (bodies && this.wantsAny(r.types))
          for (const e of parse(r)) for (const s of this.subs) this.send(s, e, Number(e.seq));
        if (r.wake !== null) for (const q of JSON.parse(r.wake) as string[]) this.wake(q);
      }
      if (rows.length < PAGE) return;
    }
  }
}

/** The events of one row, with their seqs. */
function parse(r: EventRow): GantryEvent[] {
  const events = r.packed !== null ? unpackEvents(r.packed) : (JSON.parse(r.body ?? '[]') as GantryEvent[]);
  return events.map((e, i) => withSeq(e, r.seq * SEQ_SHIFT + i));
}

/**
 * `e` with its seq, as a copy with `seq` first, so the caller's event objects are left as
 * they were and every delivered event has the same key order.
 */
function withSeq(e: GantryEvent, seq: number): GantryEvent {
  if (e.seq !== undefined) return { ...e, seq: String(seq) };
  return { seq: String(seq), ...e };
}

/** Events after which a waiting worker may find work it could not claim before. */
