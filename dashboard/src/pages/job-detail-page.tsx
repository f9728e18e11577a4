/**
 * One job: fields, live progress, payload and result, every attempt's error, the attempt
 * timeline and the actions its state allows. Progress events update the bar directly; other
 * events for this job reload it. The page is mounted afresh for each id (see `App`), so
 * nothing of one job's page (progress, events) shows on another's. A short id in the address
 * is replaced by the full id once the job is found.
 */
import { useCallback, useEffect, useState } from 'react';
import { endpoints } from '../api/endpoints.js';
import type { GantryEvent, JobJson, JobProgress } from '../api/types.js';
import { AttemptErrors } from '../components/attempt-errors.js';
import { AttemptTimeline } from '../components/attempt-timeline.js';
import { ErrorBanner } from '../components/error-banner.js';
import { JobActions } from '../components/job-actions.js';
import { JobFields } from '../components/job-fields.js';
import { JsonView } from '../components/json-view.js';
import { ProgressBar } from '../components/progress-bar.js';
import { useCanAct, useCanEnqueue } from '../hooks/use-auth.js';
import { useLiveEvent } from '../hooks/use-live.js';
import { useResource } from '../hooks/use-resource.js';
import { href, navigate } from '../hooks/use-route.js';
import { buildTimeline } from '../lib/timeline.js';

/** The detail page of job `id`. */
export function JobDetailPage({ id }: { id: string }) {
  const canAct = useCanAct();
  const canEnqueue = useCanEnqueue();
  const [events, setEvents] = useState<GantryEvent[]>([]);
  const [liveProgress, setLiveProgress] = useState<JobProgress | null>(null);
  // Events name the full id; until the job is loaded, `id` may be a short one.
  const [fullId, setFullId] = useState(id);
  const affects = useCallback((e: GantryEvent) => e.jobId === fullId && e.type !== 'job.progress', [fullId]);
  const job = useResource(() => endpoints.job(id), id, affects, { minIntervalMs: 250 });
  const loadedId = job.data?.id;
  useEffect(() => {
    if (!loadedId || loadedId === id) return;
    setFullId(loadedId);
    window.location.replace(href(`/jobs/${encodeURIComponent(loadedId)}`));
  }, [loadedId, id]);

  useLiveEvent((e) => {
    if (e.jobId !== fullId) return;
    if (e.type === 'job.progress') {
      if (e.progress) setLiveProgress(e.progress);
      return;
    }
    setEvents((prev) => [...prev, e]);
    setLiveProgress(null);
  });

  // A job deleted on completion answers 404 after its job.completed: show it as it ended.
  const gone = job.data?.deleteOnComplete ? events.find((e) => e.type === 'job.completed') : undefined;
  const j: JobJson | undefined =
    job.data && gone
      ? {
          ...job.data,
          state: 'completed',
          result: gone.result ?? null,
          finishedAt: new Date(gone.at).toISOString(),
          leaseUntil: null,
        }
      : job.data;
  return (
    <div className="page">
      <p>
        <a href={href('/jobs')}>← Jobs</a>
      </p>
      <h1 className="mono break">Job {loadedId ?? id}</h1>
      <ErrorBanner error={gone ? null : job.error} />
      {gone ? (
        <p className="muted" data-testid="job-gone">
          Deleted when it completed (deleteOnComplete): this is the job as it ended.
        </p>
      ) : null}
      {j ? (
        <>
          {(canAct || canEnqueue) && !gone ? (
            <JobActions
              job={j}
              canAct={canAct}
              canEnqueue={canEnqueue}
              onDone={(a) => (a === 'delete' ? navigate('/jobs') : job.reload())}
            />
          ) : null}
          <div className="grid-2">
            <section className="card" aria-labelledby="jd-fields">
              <h2 id="jd-fields">Details</h2>
              <JobFields job={j} />
              {j.state === 'running' || liveProgress || j.progress ? (
                <>
                  <h2>Progress</h2>
                  <ProgressBar progress={liveProgress ?? j.progress} />
                </>
              ) : null}
            </section>
            <section className="card" aria-labelledby="jd-timeline">
              <h2 id="jd-timeline">Timeline</h2>
              <AttemptTimeline entries={buildTimeline(j, events)} />
            </section>
          </div>
          <section className="card" aria-labelledby="jd-errors">
            <h2 id="jd-errors">Errors</h2>
            <AttemptErrors errors={j.errors} />
          </section>
          <div className="grid-2">
            <section className="card" aria-labelledby="jd-payload">
              <h2 id="jd-payload">Payload</h2>
              <JsonView value={j.payload} label="Payload" />
            </section>
            <section className="card" aria-labelledby="jd-result">
              <h2 id="jd-result">Result</h2>
              <JsonView value={j.result} label="Result" />
            </section>
          </div>
        </>
      ) : job.loading ? (
        <p className="muted">Loading…</p>
      ) : null}
    </div>
  );
}
