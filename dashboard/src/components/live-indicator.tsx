/** Shows whether live updates flow; the stream reconnects by itself, this only tells. */
import { useLiveStatus } from '../hooks/use-live.js';

const LABELS = { connecting: 'connecting…', live: 'live', down: 'disconnected' } as const;

/** A dot and a word: live, connecting or disconnected. */
export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span className={`live live-${status}`} role="status" aria-live="polite" data-testid="live-indicator">
      <span className="live-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
