/** The most recent failed jobs with their last error. */
import type { JobJson } from '../api/types.js';
import { href } from '../hooks/use-route.js';
import { RelativeTime } from './relative-time.js';

/** A short list linking to each job's detail. */
export function LatestFailures({ jobs }: { jobs: JobJson[] }) {
  if (jobs.length === 0) return <p className="muted">No failed jobs.</p>;
  return (
    <ul className="failures" data-testid="latest-failures">
      {jobs.map((j) => (
        <li key={j.id}>
          <a href={href(`/jobs/${encodeURIComponent(j.id)}`)}>
            <code>{j.type}</code> in {j.queue}
          </a>{' '}
          <span className="muted">
            <RelativeTime value={j.finishedAt} />
          </span>
          <div className="failure-msg">{j.errors.at(-1)?.message ?? 'no error recorded'}</div>
        </li>
      ))}
    </ul>
  );
}
