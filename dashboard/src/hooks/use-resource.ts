/**
 * Loads data from the API and keeps it fresh: reloads when live events say it changed (at most
 * once per `minIntervalMs`, one request at a time, however many events arrive), when the stream
 * comes back after a gap (events may have been missed), and on demand. The first load waits for
 * the stream to open, so nothing changes unseen between the load and the stream, and the page
 * loads once.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GantryEvent } from '../api/types.js';
import { useLiveEvents, useLiveReady, useLiveStatus } from './use-live.js';

/** Least time between two reloads caused by events, ms. */
export const RELOAD_MIN_INTERVAL_MS = 500;

/** What `useResource` returns. */
export interface Resource<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/** Options of `useResource`. */
export interface ResourceOptions {
  /** Least time between two reloads caused by events, ms. */
  minIntervalMs?: number;
}

/**
 * `load` runs once the stream is ready and whenever `key` changes; `affects(e)` says which live
 * events make the data stale (default: none).
 */
export function useResource<T>(
  load: () => Promise<T>,
  key: string,
  affects: (e: GantryEvent) => boolean = () => false,
  options: ResourceOptions = {},
): Resource<T> {
  const minInterval = options.minIntervalMs ?? RELOAD_MIN_INTERVAL_MS;
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef(false);
  const stale = useRef(false);
  const lastStart = useRef(0);
  const scheduleRef = useRef<() => void>(() => undefined);

  const reload = useCallback(() => {
    const g = ++generation.current;
    inFlight.current = true;
    stale.current = false;
    lastStart.current = Date.now();
    setLoading(true);
    const settle = (): void => {
      if (g !== generation.current) return; // a newer load superseded this one
      inFlight.current = false;
      setLoading(false);
      // Events that came during the request ask for one more.
      if (stale.current) scheduleRef.current();
    };
    loadRef.current().then(
      (d) => {
        if (g === generation.current) {
          setData(d);
          setError(null);
        }
        settle();
      },
      (err: unknown) => {
        if (g === generation.current) setError(err instanceof Error ? err : new Error(String(err)));
        settle();
      },
    );
  }, []);

  scheduleRef.current = () => {
    if (timer.current) return;
    if (inFlight.current) {
      stale.current = true;
      return;
    }
    const wait = Math.max(0, lastStart.current + minInterval - Date.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      reload();
    }, wait);
  };

  const ready = useLiveReady();
  useEffect(() => {
    if (!ready) return;
    setData(undefined);
    reload();
  }, [key, ready, reload]);

  useLiveEvents((batch) => {
    if (ready && batch.some(affects)) scheduleRef.current();
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      generation.current++;
    },
    [],
  );

  // Back after a gap: events may have been missed while down.
  const status = useLiveStatus();
  const wasDown = useRef(false);
  useEffect(() => {
    if (status === 'down') wasDown.current = true;
    else if (status === 'live' && wasDown.current) {
      wasDown.current = false;
      reload();
    }
  }, [status, reload]);

  return { data, error, loading, reload };
}
