/** A clock that ticks, so relative times ("5 s ago") stay true without a reload. */
import { useEffect, useState } from 'react';

/** The current time in ms, refreshed every `everyMs`. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
