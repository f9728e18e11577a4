/**
 * Clocks that tick, so relative times ("5 s ago") stay true without a reload. Every component
 * asking for the same period shares one timer, so a table of a hundred times re-renders once a
 * second, in one go, not a hundred times.
 */
import { useSyncExternalStore } from 'react';

interface Ticker {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval> | null;
  /** One function per period: React resubscribes whenever `subscribe` changes identity. */
  subscribe: (listener: () => void) => () => void;
  snapshot: () => number;
}

const tickers = new Map<number, Ticker>();

function ticker(everyMs: number): Ticker {
  let t = tickers.get(everyMs);
  if (!t) {
    const made: Ticker = {
      now: Date.now(),
      listeners: new Set(),
      timer: null,
      subscribe: (listener) => subscribe(made, everyMs, listener),
      snapshot: () => made.now,
    };
    tickers.set(everyMs, (t = made));
  }
  return t;
}

function subscribe(t: Ticker, everyMs: number, listener: () => void): () => void {
  t.listeners.add(listener);
  if (!t.timer) {
    t.now = Date.now();
    t.timer = setInterval(() => {
      t.now = Date.now();
      for (const l of t.listeners) l();
    }, everyMs);
  }
  return () => {
    t.listeners.delete(listener);
    if (t.listeners.size === 0 && t.timer) {
      clearInterval(t.timer);
      t.timer = null;
    }
  };
}

/** The current time in ms, refreshed every `everyMs` (shared by every caller of that period). */
export function useNow(everyMs = 1000): number {
  const t = ticker(everyMs);
  return useSyncExternalStore(t.subscribe, t.snapshot);
}
