/**
 * Enqueue a job from a JSON editor: the body `POST /jobs` takes (type, payload and every
 * option). `?from=<id>` starts from a copy of that job (Duplicate). Needs a `write` or `admin`
 * token; the server validates the job and says what to fix.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { endpoints } from '../api/endpoints.js';
import type { JobJson } from '../api/types.js';
import { errorText } from '../components/action-button.js';
import { ErrorBanner } from '../components/error-banner.js';
import { JsonEditor, parseJson } from '../components/json-editor.js';
import { useCanEnqueue } from '../hooks/use-auth.js';
import { useOffline } from '../hooks/use-live.js';
import { href, navigate } from '../hooks/use-route.js';
import { InlineError } from '../components/inline-error.js';

const BLANK = { type: '', queue: 'default', payload: {} };

/** Metadata a scheduler adds to the jobs it fires; a copy is not a run of that schedule. */
const SCHEDULE_KEYS = ['schedule', 'fireAt'];

/** The enqueue body that makes a job like `j` (a new id; no unique key, which the original holds). */
export function duplicateBody(j: JobJson & { backoff?: unknown }): Record<string, unknown> {
  const metadata = Object.fromEntries(Object.entries(j.metadata).filter(([k]) => !SCHEDULE_KEYS.includes(k)));
  return {
    type: j.type,
    queue: j.queue,
    payload: j.payload,
    priority: j.priority,
    maxAttempts: j.maxAttempts,
    ...(j.backoff ? { backoff: j.backoff } : {}),
    ...(j.timeoutMs === null ? {} : { timeout: j.timeoutMs }),
    ...(j.tags.length ? { tags: j.tags } : {}),
    ...(Object.keys(metadata).length ? { metadata } : {}),
    ...(j.deleteOnComplete ? { deleteOnComplete: true } : {}),
  };
}

/** What is wrong with the parsed body before it is sent, or `null`. */
function problem(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'The job must be a JSON object.';
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || type.trim() === '') return 'Give the job a "type": the name of its handler.';
  return null;
}

/** The page; `from` is the id of a job to copy. */
export function EnqueuePage({ from }: { from: string | null }) {
  const canEnqueue = useCanEnqueue();
  const offline = useOffline();
  const [text, setText] = useState(from ? '' : JSON.stringify(BLANK, null, 2));
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!from) return;
    endpoints.job(from).then(
      (j) => setText(JSON.stringify(duplicateBody(j), null, 2)),
      (err: unknown) => setLoadError(err instanceof Error ? err : new Error(String(err))),
    );
  }, [from]);
  const parsed = parseJson(text);
  const error = text === '' ? null : (parsed.error ?? problem(parsed.value));
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (error || parsed.error) return;
    setBusy(true);
    setSendError(null);
    try {
      const job = await endpoints.enqueue(parsed.value as Record<string, unknown>);
      navigate(`/jobs/${encodeURIComponent(job.id)}`);
    } catch (err) {
      setSendError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="page">
      <p>
        <a href={href('/jobs')}>← Jobs</a>
      </p>
      <h1>{from ? 'Duplicate a job' : 'New job'}</h1>
      <ErrorBanner error={loadError} />
      {!canEnqueue ? <p className="muted">Enqueueing needs a write or admin token.</p> : null}
      <form className="card enqueue-form" onSubmit={(e) => void submit(e)} aria-label="Enqueue a job">
        <JsonEditor id="job-json" label="Job (JSON)" value={text} onChange={setText} error={error} rows={16} />
        <p className="muted small">
          Fields: <code>type</code> (required), <code>payload</code>, <code>queue</code>, <code>priority</code> (number
          or critical, high, normal, low), <code>delay</code> (e.g. &quot;10m&quot;), <code>runAt</code>,{' '}
          <code>maxAttempts</code>, <code>backoff</code>, <code>timeout</code>, <code>deadline</code>,{' '}
          <code>uniqueKey</code>, <code>tags</code>, <code>metadata</code>, <code>deleteOnComplete</code>. See the API
          docs at <a href="/docs">/docs</a>.
        </p>
        <div className="actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={!canEnqueue || busy || offline || Boolean(error) || text === ''}
          >
            Enqueue
          </button>
          <InlineError message={sendError} />
        </div>
      </form>
    </div>
  );
}
