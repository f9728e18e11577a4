/**
 * The live connection: one EventSource on `/api/v1/events`, shared by every page. It
 * reconnects by itself (EventSource gives up for good on an HTTP error, so we retry with a
 * growing delay) and tells the UI whether it is live. With a token, each connection first
 * asks for a one-use ticket (`POST /events/tickets`) and puts that in the URL, never the token.
 *
 * Events are handed to listeners in batches, at most every `LIVE_FLUSH_MS`, all in one task:
 * React renders the state they change once per batch, so a burst of thousands of events costs
 * a few renders a second, not one per event.
 */
import { api, API_BASE } from './http.js';
import { EVENT_TYPES } from '../../../src/core/events.js';
import type { GantryEvent } from './types.js';

/** `connecting` before the first open, `live` while open, `down` between retries. */
export type LiveStatus = 'connecting' | 'live' | 'down';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

/** Longest an event waits before listeners see it; the batch of a burst is delivered in one go. */
export const LIVE_FLUSH_MS = 250;

type Listener = (e: GantryEvent) => void;
type BatchListener = (events: GantryEvent[]) => void;

let status: LiveStatus = 'connecting';
/** True once the stream was lost after being open: the next open may have missed events. */
let gap = false;
let source: EventSource | null = null;
let retryMs = RETRY_MIN_MS;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let token: string | null = null;
/** Bumped by every `connect`: a ticket that arrives for an older one is dropped. */
let generation = 0;
let pending: GantryEvent[] = [];
let flushTimer: ReturnType<typeof setTimeout> | null = null;
const statusListeners = new Set<() => void>();
const batchListeners = new Set<BatchListener>();

function setStatus(s: LiveStatus): void {
  if (s === status) return;
  status = s;
  for (const l of statusListeners) l();
}

function flush(): void {
  flushTimer = null;
  const batch = pending;
  pending = [];
  for (const l of batchListeners) l(batch);
}

function dispatch(msg: MessageEvent<string>): void {
  let e: GantryEvent;
  try {
    e = JSON.parse(msg.data) as GantryEvent;
  } catch {
    return; // heartbeats and comments are not events
  }
  if (!e || typeof e !== 'object' || typeof e.type !== 'string') return;
  if (typeof e.at !== 'number') e.at = Date.now();
  pending.push(e);
  flushTimer ??= setTimeout(flush, LIVE_FLUSH_MS);
}

/** The stream's URL: with a token, a fresh ticket for it (a ticket opens the stream once). */
async function streamUrl(): Promise<string> {
  if (!token) return `${API_BASE}/events`;
  const { ticket } = await api<{ ticket: string }>('/events/tickets', { method: 'POST' });
  return `${API_BASE}/events?ticket=${encodeURIComponent(ticket)}`;
}

function open(): void {
  retryTimer = null;
  const gen = generation;
  streamUrl().then(
    (url) => {
      if (gen === generation) listen(url);
    },
    () => {
      if (gen !== generation) return;
      setStatus('down');
      schedule();
    },
  );
}

function listen(url: string): void {
  const es = new EventSource(url);
  source = es;
  es.onopen = () => {
    retryMs = RETRY_MIN_MS;
    setStatus('live');
  };
  es.onmessage = dispatch;
  for (const name of EVENT_TYPES) es.addEventListener(name, dispatch as EventListener);
  es.onerror = () => {
    if (status === 'live') gap = true;
    setStatus('down');
    // The browser retries by itself only while the stream stays CONNECTING; after a closed
    // stream or an HTTP error it stops, so we start a fresh one.
    if (es.readyState === EventSource.CLOSED) schedule();
  };
}

function schedule(): void {
  source?.close();
  source = null;
  if (retryTimer) return;
  retryTimer = setTimeout(open, retryMs);
  retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
}

/** The shared live stream. */
export const live = {
  status: (): LiveStatus => status,
  /** True when the stream was open, then lost: data loaded before may be stale. */
  hadGap: (): boolean => gap,
  onStatus(listener: () => void): () => void {
    statusListeners.add(listener);
    return () => statusListeners.delete(listener);
  },
  /** Receives each batch of events (in order) until the returned function is called. */
  onEvents(listener: BatchListener): () => void {
    batchListeners.add(listener);
    return () => batchListeners.delete(listener);
  },
  /** Receives every event, a batch at a time, until the returned function is called. */
  onEvent(listener: Listener): () => void {
    return live.onEvents((batch) => {
      for (const e of batch) listener(e);
    });
  },
  /** (Re)connects with this token; called at start and whenever the token changes. */
  connect(withToken: string | null): void {
    token = withToken;
    generation++;
    source?.close();
    if (retryTimer) clearTimeout(retryTimer);
    retryMs = RETRY_MIN_MS;
    setStatus('connecting');
    open();
  },
};
