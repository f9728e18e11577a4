/** The error of every failed attempt, newest first, each with its stack. */
import type { JobErrorJson } from '../api/types.js';
import { formatTime } from '../lib/time.js';

/** One block per failed attempt. */
export function AttemptErrors({ errors }: { errors: JobErrorJson[] }) {
  if (errors.length === 0) return <p className="muted">No failed attempts.</p>;
  return (
    <div className="errors" data-testid="attempt-errors">
      {[...errors].reverse().map((e, i) => (
        <article key={`${e.attempt}-${e.at}-${i}`} className="attempt-error" data-attempt={e.attempt}>
          <h3>
            Attempt {e.attempt}
            {e.code ? <span className="badge">{e.code}</span> : null}{' '}
            <span className="muted">
              {formatTime(e.at)}
              {e.workerId ? ` · ${e.workerId}` : ''}
            </span>
          </h3>
          <p className="error-message">{e.message}</p>
          {e.stack ? (
            <details>
              <summary>Stack</summary>
              <pre className="stack">{e.stack}</pre>
            </details>
          ) : null}
        </article>
      ))}
    </div>
  );
}
