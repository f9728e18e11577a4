/** The attempt timeline: each step with its time, worker and how long the attempt ran. */
import type { TimelineEntry } from '../lib/timeline.js';
import { formatDuration, formatTime } from '../lib/time.js';

/** An ordered list of steps. */
export function AttemptTimeline({ entries }: { entries: TimelineEntry[] }) {
  return (
    <ol className="timeline" data-testid="timeline">
      {entries.map((e, i) => (
        <li key={`${e.kind}-${e.at}-${i}`} className={`tl tl-${e.kind}`}>
          <span className="tl-kind">
            {e.kind}
            {e.attempt ? ` (attempt ${e.attempt}${e.run ? ` of run ${e.run}` : ''})` : ''}
          </span>{' '}
          <time className="muted" dateTime={new Date(e.at).toISOString()}>
            {formatTime(e.at)}
          </time>
          {e.workerId ? <span className="muted"> · {e.workerId}</span> : null}
          {e.durationMs !== undefined ? <span className="muted"> · ran {formatDuration(e.durationMs)}</span> : null}
          {e.message ? <div className="tl-msg">{e.message}</div> : null}
        </li>
      ))}
    </ol>
  );
}
