/**
 * LISTEN/NOTIFY: one dedicated connection per backend carries worker wake-ups (the wake
 * channel: a queue name per notification) and, while someone subscribes, the events channel
 * (one notification per statement; see `event-batch.ts`). A lost connection is re-established
 * with backoff; then every waiter is woken (its poll finds what was missed) and subscribers
 * replay the events table.
 */
import pg from 'pg';
import type { Clock } from '../../core/clock.js';
import { eventMatches, type EventFilter, type GantryEvent } from '../../core/events.js';
import { WakeBoard } from '../../backend/wake-board.js';
import { ident, mapError, run } from './connection.js';
import type { Ctx } from './context.js';
import {
  inlineEvents,
  lastSeqOfRow,
  mayMatch,
  parseBatch,
  rowEvents,
  rowOfSeq,
  type EventBatch,
} from './event-batch.js';

interface Subscriber {
  filter: EventFilter | undefined;
  onEvent: (e: GantryEvent) => void;
  /** Live events held back while the subscriber replays the table. */
  buffer: GantryEvent[] | null;
}

/** Reconnect backoff bounds, ms. */
const RECONNECT_MIN_MS = 50;
const RECONNECT_MAX_MS = 2_000;
/** Events read per replay query; seqs remembered to drop duplicates after a replay. */
const REPLAY_PAGE = 1000;
const RECENT_SEQS = 2000;

/** The listening connection of one backend. */
export class Listener {
  private client: pg.Client | null = null;
  private closed = false;
  private delay = RECONNECT_MIN_MS;
  private cancelRetry: (() => void) | null = null;
  private readonly wakes: WakeBoard;
  private readonly subscribers = new Set<Subscriber>();
  private readonly recent: string[] = [];
  private readonly recentSet = new Set<string>();
  private lastSeq = '0';
  /** The batch being read from the table, if any; later batches queue behind it. */
  private tail: Promise<void> | null = null;

  constructor(
    private readonly ctx: Ctx,
    private readonly connectionString: string,
    private readonly clock: Clock,
  ) {
    this.wakes = new WakeBoard(clock);
  }

  /** Opens the connection (the first time; later ones reconnect by themselves). */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      mapError(err);
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => this.onNotification(n.channel, n.payload ?? ''));
    await client.connect();
    await client.query(`LISTEN ${ident(this.ctx.channels.wake)}`);
    if (this.subscribers.size > 0) await client.query(`LISTEN ${ident(this.ctx.channels.events)}`);
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.delay = RECONNECT_MIN_MS;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.cancelRetry) return;
    this.cancelRetry = this.clock.setTimeout(() => {
      this.cancelRetry = null;
      this.connect().then(
        () => this.recovered(),
        () => {
          this.delay = Math.min(this.delay * 2, RECONNECT_MAX_MS);
          this.scheduleReconnect();
        },
      );
    }, this.delay);
  }

  /** After a reconnect: wake every waiter and let subscribers catch up from the table. */
  private recovered(): void {
    this.wakes.wakeAll();
    if (this.subscribers.size > 0)
      void this.replayInto([...this.subscribers], this.lastSeq, true).catch(() => undefined);
  }

  private onNotification(channel: string, payload: string): void {
    if (channel === this.ctx.channels.wake) return this.wakes.wake(payload);
    if (channel !== this.ctx.channels.events) return;
    const batch = parseBatch(payload);
    if (!batch) return;
    if (![...this.subscribers].some((s) => s.buffer !== null || mayMatch(batch.types, s.filter))) {
      // Nobody wants these types: skip the batch unparsed, but count it as seen for replays.
      const last = lastSeqOfRow(batch.row);
      if (Number(last) > Number(this.lastSeq)) this.lastSeq = last;
      return;
    }
    const events = this.tail === null ? inlineEvents(batch) : null;
    if (events) return this.dispatch(events);
    // Read from the table, in order: later batches wait for this one.
    const prev = this.tail ?? Promise.resolve();
    const next: Promise<void> = prev
      .then(() => inlineEvents(batch) ?? this.readBatch(batch))
      .then((evs) => this.dispatch(evs))
      .catch(() => undefined)
      .finally(() => {
        if (this.tail === next) this.tail = null;
      });
    this.tail = next;
  }

  private async readBatch(batch: EventBatch): Promise<GantryEvent[]> {
    const rows = await run<{ seq: string; data: unknown }>(this.ctx.pool, this.ctx.admin.eventsRow, [batch.row]);
    return rows.flatMap((r) => rowEvents(r.seq, r.data));
  }

  private dispatch(events: GantryEvent[]): void {
    for (const e of events) {
      if (e.seq !== undefined && !this.remember(e.seq)) continue;
      for (const s of this.subscribers) {
        if (s.buffer) s.buffer.push(e);
        else deliver(s, e);
      }
    }
  }

  /** Records a delivered seq; false when it was delivered already. */
  private remember(seq: string): boolean {
    if (this.recentSet.has(seq)) return false;
    this.recentSet.add(seq);
    this.recent.push(seq);
    if (this.recent.length > RECENT_SEQS) this.recentSet.delete(this.recent.shift()!);
    if (Number(seq) > Number(this.lastSeq)) this.lastSeq = seq;
    return true;
  }

  /** Resolves on a wake-up for `queues`, after `timeoutMs` on the clock, or when `signal` aborts. */
  await(queues: string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.wakes.await(queues, timeoutMs, signal);
  }

  /** Resolves once the event batches of changes committed before the call are dispatched. */
  async flush(): Promise<void> {
    // The server hands a listening connection its pending notifications before the answer to
    // a query on it, so after this round trip every earlier commit's batch has arrived.
    if (this.client && this.subscribers.size > 0) await this.client.query('SELECT 1').catch(() => undefined);
    while (this.tail) await this.tail;
  }

  /** Delivers events to `onEvent` (after replaying those past `afterSeq`) until unsubscribed. */
  async subscribe(
    filter: EventFilter | undefined,
    afterSeq: string | undefined,
    onEvent: (e: GantryEvent) => void,
  ): Promise<() => Promise<void>> {
    const sub: Subscriber = { filter, onEvent, buffer: afterSeq === undefined ? null : [] };
    this.subscribers.add(sub);
    try {
      if (this.subscribers.size === 1 && this.client) {
        await this.client.query(`LISTEN ${ident(this.ctx.channels.events)}`);
      }
      if (afterSeq !== undefined) await this.replayInto([sub], afterSeq);
    } catch (err) {
      this.subscribers.delete(sub);
      mapError(err);
    }
    return async () => {
      if (!this.subscribers.delete(sub)) return;
      if (this.subscribers.size === 0 && this.client) {
        await this.client.query(`UNLISTEN ${ident(this.ctx.channels.events)}`).catch(() => undefined);
      }
    };
  }

  /**
   * Replays stored events after `afterSeq` into `subs`, then releases what they buffered.
   * `everyone`: all subscribers replay (after a reconnect).
   */
  private async replayInto(subs: Subscriber[], afterSeq: string, everyone = false): Promise<void> {
    for (const s of subs) s.buffer ??= [];
    const seen = new Set<string>();
    const after = /^\d+$/.test(afterSeq) ? Number(afterSeq) : 0;
    let row = rowOfSeq(afterSeq);
    try {
      for (;;) {
        const rows = await run<{ seq: string; data: unknown }>(this.ctx.pool, this.ctx.admin.replay, [
          row,
          REPLAY_PAGE,
        ]);
        for (const r of rows) {
          for (const e of rowEvents(r.seq, r.data)) {
            if (Number(e.seq) <= after) continue;
            seen.add(e.seq!);
            // After a reconnect every subscriber replays, so a late NOTIFY of the same seq is a duplicate.
            if (everyone && !this.remember(e.seq!)) continue;
            for (const s of subs) if (this.subscribers.has(s)) deliver(s, e);
          }
        }
        if (rows.length < REPLAY_PAGE) break;
        row = String(Number(rows[rows.length - 1]!.seq) + 1);
      }
    } finally {
      for (const s of subs) {
        const held = s.buffer ?? [];
        s.buffer = null;
        for (const e of held) if (e.seq === undefined || !seen.has(e.seq)) deliver(s, e);
      }
    }
  }

  /** True while the listening connection is up. */
  get connected(): boolean {
    return this.client !== null;
  }

  /** The server process id of the listening connection (tests terminate it). */
  get backendPid(): number | null {
    return (this.client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  /** Stops listening and wakes every waiter. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelRetry?.();
    this.cancelRetry = null;
    this.wakes.close();
    this.subscribers.clear();
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
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
