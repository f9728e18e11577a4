/** React bindings of the shared live stream. */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { live, type LiveStatus } from '../api/live.js';
import type { GantryEvent } from '../api/types.js';

/** The live stream's status. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(live.onStatus, live.status);
}

/** Calls `handler` for every live event while the component is mounted. */
export function useLiveEvent(handler: (e: GantryEvent) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => live.onEvent((e) => ref.current(e)), []);
}
