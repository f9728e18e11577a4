/**
 * Events and wake-ups of one backend. Wake-ups: the scripts `PUBLISH` the queues to wake on the
 * namespace's wake channel, which a subscribed connection hears at once, and name them in their
 * event stream entry, which the reader (while it runs) hears sooner; each wakes once
 * (`WakeOnce`). After the subscribed connection comes back from an outage every waiter is woken
 * (its claim finds what was missed). Events:
 * while someone subscribes, a blocking connection reads the event stream (`XREAD BLOCK`) from
 * where it was, so an outage loses none; `afterSeq` replays the stream with `XRANGE`.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Clock } from '../../core/clock.js';
import { REDIS_EVENTS_BLOCK_MS } from '../../core/constants.js';
import { eventMatches, type EventFilter, type GantryEvent } from '../../core/events.js';
import { WakeBoard } from '../../backend/wake-board.js';
import { entryEvents, entryMayMatch, entryOf, type StreamEntry } from './event-codec.js';
import { nextTurn, ReadHold } from './read-hold.js';
import { WakeOnce } from './wake-once.js';

interface Subscriber {
  filter: EventFilter | undefined;
  onEvent: (e: GantryEvent) => void;
  /** Events up to this seq are not for it (before it subscribed, or replayed). */
  from: number;
  /** Live events held back while it replays. */
  buffer: GantryEvent[] | null;
}

type RawEntry = [string, string[]];

/** Entries read per request of a replay or of the live reader. */
const REPLAY_PAGE = 1000;

/** The event stream reader and wake-up subscriber of one backend. */
export class EventHub {
  private readonly wakes: WakeBoard;
  private readonly wakeOnce: WakeOnce;
  private readonly subscribers = new Set<Subscriber>();
  private readonly flushes: { target: number; resolve: () => void }[] = [];
  /** The seq of the last entry read. */
  private pos = 0;
  private reading: Promise<void> | null = null;
  private closed = false;
  /**
   * Whether anyone waited for work yet: the channel is listened to from the first wait on, so
   * a process that only enqueues is not sent a message for every job it enqueues.
   */
  private waited = false;
  /** Whether the wake channel should be listened to (see `setChannel`), and the switches under way. */
  private channelWanted = true;
  /** False while the channel is not listened to: no message will match an entry then. */
  private channelHeard = false;
  private channelSync: Promise<void> = Promise.resolve();
  /** Claims out: the stream's next read waits for them (`ReadHold`). */
  readonly hold = new ReadHold();

  constructor(
    private readonly clock: Clock,
    private readonly streamKey: string,
    private readonly wakeChannel: string,
    /** Subscribed to the wake channel (its own connection). */
    private readonly sub: Redis | Cluster,
    /** For blocking reads of the stream (its own connection). */
    private readonly reader: Redis | Cluster,
    /** Reads the seq of the newest event. */
    private readonly top: () => Promise<number>,
    /** The main connection, for replays. */
    private readonly main: Redis | Cluster,
  ) {
    this.wakes = new WakeBoard(clock);
    this.wakeOnce = new WakeOnce(this.wakes);
  }

  /** Takes the wake channel's messages (listened to from the first `await`). */
  start(): void {
    this.sub.on('message', (_channel: string, message: string) => {
      this.wakeOnce.channel(message, this.reading ? this.pos : null);
    });
    // Wake-ups published while the connection was down are lost: wake everyone to look.
    this.sub.on('ready', () => {
      this.wakeOnce.channelReset();
      if (this.waited && this.channelWanted) this.sub.subscribe(this.wakeChannel).catch(() => undefined);
      this.wakes.wakeAll();
    });
  }

  /**
   * Listens to the wake channel only while the stream is not read: a reader hears every
   * wake-up in the entries, sooner, and each message would only be one more write of Redis and
   * one more wake-up of this process right when a woken worker's claim is out. A switch is in
   * order on the connection, so no message published before it is missed; one published
   * while the channel was not listened to and the reader had stopped may be, so every waiter
   * is woken to look once the channel listens again.
   */
  private setChannel(want: boolean): void {
    if (this.channelWanted === want || this.closed) return;
    this.channelWanted = want;
    if (this.waited) this.switchChannel(want);
  }

  private switchChannel(want: boolean): void {
    this.channelSync = this.channelSync.then(async () => {
      if (this.closed || this.channelWanted !== want) return;
      try {
        if (want) {
          this.channelHeard = true;
          await this.sub.subscribe(this.wakeChannel);
          this.wakes.wakeAll();
        } else {
          await this.sub.unsubscribe(this.wakeChannel);
          this.channelHeard = false;
        }
      } catch {
        // The connection is down; when it is back, 'ready' listens again if wanted.
      }
    });
  }

  /**
   * Resolves on a wake-up for `queues`, after `timeoutMs` on the clock, or when `signal` aborts.
   * The first wait starts listening to the channel (unless the stream is read) and is woken once
   * that is in place: what was enqueued before is found by the claim it makes then.
   */
  await(queues: string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const woken = this.wakes.await(queues, timeoutMs, signal);
    if (!this.waited) {
      this.waited = true;
      if (this.channelWanted) this.switchChannel(true);
    }
    return woken;
  }

  /** Delivers events to `onEvent` (after replaying those past `afterSeq`) until unsubscribed. */
  async subscribe(
    filter: EventFilter | undefined,
    afterSeq: string | undefined,
    onEvent: (e: GantryEvent) => void,
  ): Promise<() => Promise<void>> {
    const after = afterSeq !== undefined && /^\d+$/.test(afterSeq) ? Number(afterSeq) : undefined;
    const sub: Subscriber = { filter, onEvent, from: Number.MAX_SAFE_INTEGER, buffer: after === undefined ? null : [] };
    this.subscribers.add(sub);
    try {
      const top = await this.top();
      if (after === undefined) sub.from = top;
      else sub.from = after;
      this.startReading(top);
      if (after !== undefined) await this.replay(sub, after);
    } catch (err) {
      this.subscribers.delete(sub);
      throw err;
    }
    return async () => {
      this.subscribers.delete(sub);
    };
  }

  private startReading(from: number): void {
    if (this.reading || this.closed) return;
    this.pos = from;
    this.reading = this.read().finally(() => (this.reading = null));
    this.setChannel(false);
  }

  private async read(): Promise<void> {
    while (!this.closed && this.subscribers.size > 0) {
      let reply: [string, RawEntry[]][] | null;
      try {
        reply = (await this.reader.xread(
          'COUNT',
          REPLAY_PAGE,
          'BLOCK',
          REDIS_EVENTS_BLOCK_MS,
          'STREAMS',
          this.streamKey,
          `0-${this.pos}`,
        )) as [string, RawEntry[]][] | null;
      } catch {
        if (this.closed) return;
        await this.readerReady();
        continue;
      }
      const entries = (reply?.[0]?.[1] ?? []).map(entryOf);
      // Wake-ups first: a worker woken here sends its claim before the events are parsed.
      if (this.wakeFrom(entries)) await nextTurn();
      for (const entry of entries) this.dispatch(entry);
      this.settleFlushes();
      // The next read goes out after this turn's other work (a worker woken here sends its
      // claim first) and after this process's claims are answered (see ReadHold).
      await this.hold.clear();
    }
    // Nobody listens any more: whoever waits for a flush has nothing to wait for.
    this.pos = 0;
    this.wakeOnce.readerStopped();
    this.setChannel(true);
    this.settleFlushes(true);
  }

  private readerReady(): Promise<void> {
    if (this.reader.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.reader.off('ready', done);
        this.reader.off('end', done);
        resolve();
      };
      this.reader.on('ready', done);
      this.reader.on('end', done);
    });
  }

  /** Wakes the queues the entries name; true when any did. */
  private wakeFrom(entries: StreamEntry[]): boolean {
    let any = false;
    for (const e of entries) {
      if (e.wakes === '') continue;
      this.wakeOnce.stream(e.last, e.wakes, this.channelHeard);
      any = true;
    }
    return any;
  }

  private dispatch(entry: StreamEntry): void {
    this.pos = entry.last;
    let events: GantryEvent[] | null = null;
    for (const s of this.subscribers) {
      if (s.buffer === null && s.from >= entry.last) continue;
      if (!entryMayMatch(entry, s.filter)) continue;
      events ??= entryEvents(entry);
      for (const e of events) {
        if (Number(e.seq) <= s.from) continue;
        if (s.buffer) s.buffer.push(e);
        else deliver(s, e);
      }
    }
  }

  /** Replays the stream after `after` into `sub`, then releases what it buffered meanwhile. */
  private async replay(sub: Subscriber, after: number): Promise<void> {
    let start = `0-${after + 1}`;
    let last = after;
    try {
      for (;;) {
        const page = (await this.main.xrange(this.streamKey, start, '+', 'COUNT', REPLAY_PAGE)) as RawEntry[];
        for (const raw of page) {
          const entry = entryOf(raw);
          if (entryMayMatch(entry, sub.filter)) {
            for (const e of entryEvents(entry)) if (Number(e.seq) > after) deliver(sub, e);
          }
          last = entry.last;
        }
        if (page.length < REPLAY_PAGE) break;
        start = `0-${last + 1}`;
      }
    } finally {
      const held = sub.buffer ?? [];
      sub.buffer = null;
      sub.from = last;
      for (const e of held) if (Number(e.seq) > last) deliver(sub, e);
      if (held.length > 0) sub.from = Math.max(last, Number(held[held.length - 1]!.seq));
    }
  }

  /** Resolves once events up to the newest one now stored have been handed to subscribers. */
  async flush(): Promise<void> {
    if (this.subscribers.size === 0 || this.closed) return;
    const target = await this.top();
    if (this.pos >= target || !this.reading) return;
    await new Promise<void>((resolve) => this.flushes.push({ target, resolve }));
  }

  private settleFlushes(all = false): void {
    for (let i = this.flushes.length - 1; i >= 0; i--) {
      const f = this.flushes[i]!;
      if (all || this.pos >= f.target) {
        this.flushes.splice(i, 1);
        f.resolve();
      }
    }
  }

  /** Stops reading and listening; wakes every waiter. */
  close(): void {
    this.closed = true;
    this.hold.release();
    this.wakes.close();
    this.subscribers.clear();
    this.settleFlushes(true);
    this.sub.disconnect();
    this.reader.disconnect();
  }
}

function deliver(s: Subscriber, e: GantryEvent): void {
  if (!eventMatches(e, s.filter)) return;
  try {
    s.onEvent(e);
  } catch {
    // A subscriber's own error must not stop delivery to the others.
  }
}
