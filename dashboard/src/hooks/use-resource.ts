/**
 * Loads data from the API and keeps it fresh: reloads when a live event says it changed
 * (coalesced, so a burst of events costs one request), when the stream comes back after a
 * gap (events may have been missed), and on demand.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GantryEvent } from '../api/types.js';
import { useLiveEvent, useLiveStatus } from './use-live.js';

/** Coalescing window of reloads caused by events, ms. */
const RELOAD_COALESCE_MS = 300;

/** What `useResource` returns. */
export interface Resource<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/**
 * `load` runs on mount and whenever `key` changes; `affects(e)` says which live events make
 * the data stale (default: none).
 */
export function useResource<T>(
  load: () => Promise<T>,
  key: string,
  affects: (e: GantryEvent) => boolean = () => false,
): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const reload = useCallback(() => {
    const g = ++generation.current;
    setLoading(true);
    loadRef.current().then(
      (d) => {
        if (g !== generation.current) return; // a newer load superseded this one
        setData(d);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (g !== generation.current) return;
        setError(err instanceof Error ? err : new Error(String(err)));
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    setData(undefined);
    reload();
  }, [key, reload]);

  useLiveEvent((e) => {
    if (!affects(e) || timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      reload();
    }, RELOAD_COALESCE_MS);
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const status = useLiveStatus();
  const wasLive = useRef(status === 'live');
  useEffect(() => {
    if (status === 'live' && !wasLive.current) reload();
    wasLive.current = status === 'live';
  }, [status, reload]);

  return { data, error, loading, reload };
}
