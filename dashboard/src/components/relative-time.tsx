/** A time shown relative to now ("12 s ago"), exact in its tooltip. */
import { useNow } from '../hooks/use-now.js';
import { formatTime, relativeTime } from '../lib/time.js';

/** `value` is ISO text or ms since the epoch. */
export function RelativeTime({ value }: { value: string | number | null | undefined }) {
  const now = useNow();
  if (value === null || value === undefined) return <span>—</span>;
  const iso = new Date(value).toISOString();
  return (
    <time dateTime={iso} title={formatTime(value)}>
      {relativeTime(value, now)}
    </time>
  );
}
