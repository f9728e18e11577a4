/** React bindings of the shared live stream. */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { live, type LiveStatus } from '../api/live.js';
import type { GantryEvent } from '../api/types.js';

/**
 * How long a page waits for the stream to open before it loads anyway (a proxy that holds the
 * stream back must not keep the page empty), ms.
 */
const READY_FALLBACK_MS = 1500;

/** The live stream's status. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(live.onStatus, live.status);
}

/** True while the server cannot be reached: actions are disabled rather than failing one by one. */
export function useOffline(): boolean {
  return useLiveStatus() === 'down';
}

/**
 * True once the stream has opened (or failed, or taken too long): data loaded from then on
 * misses no event, so a page loads once, not once before and once after the stream opens.
 */
export function useLiveReady(): boolean {
  const status = useLiveStatus();
  const [late, setLate] = useState(false);
  useEffect(() => {
    if (status !== 'connecting') return;
    const t = setTimeout(() => setLate(true), READY_FALLBACK_MS);
    return () => clearTimeout(t);
  }, [status]);
  return status !== 'connecting' || late;
}

/** Calls `handler` with each batch of live events while the component is mounted. */
export function useLiveEvents(handler: (events: GantryEvent[]) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => live.onEvents((batch) => ref.current(batch)), []);
}

/** Calls `handler` for every live event (delivered a batch at a time) while mounted. */
export function useLiveEvent(handler: (e: GantryEvent) => void): void {
  useLiveEvents((batch) => {
    for (const e of batch) handler(e);
  });
}
