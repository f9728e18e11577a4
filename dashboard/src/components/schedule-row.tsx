/**
 * One schedule: its spec in plain words, time zone, next fire times, last run (the newest job
 * it enqueued, with its state) and actions: pause or resume, trigger now (which says which
 * job it enqueued), edit, and remove (asking first).
 */
import { useState } from 'react';
import { endpoints } from '../api/endpoints.js';
import type { JobJson, ScheduleJson } from '../api/types.js';
import { href } from '../hooks/use-route.js';
import { describeSpec } from '../lib/describe-spec.js';
import { shortId } from '../../../src/core/short-id.js';
import { ActionButton } from './action-button.js';
import { ConfirmButton } from './confirm-button.js';
import { RelativeTime } from './relative-time.js';
import { StateBadge } from './state-badge.js';

/** A fire time in the schedule's own time zone (where "09:30" means 09:30), else the browser's. */
function inZone(iso: string, timezone: string | null): string {
  try {
    return new Date(iso).toLocaleString([], timezone ? { timeZone: timezone, timeZoneName: 'short' } : {});
  } catch {
    return new Date(iso).toLocaleString();
  }
}

/** Props of `ScheduleRow`. */
export interface ScheduleRowProps {
  schedule: ScheduleJson;
  canAct: boolean;
  onDone: () => void;
  onEdit: (s: ScheduleJson) => void;
}

/** The last run: the newest job, linked, with its state; else the last fire time. */
function LastRun({ s }: { s: ScheduleJson }) {
  if (s.lastRun) {
    return (
      <span data-testid="last-run">
        <RelativeTime value={s.lastRun.at} />{' '}
        <a className="mono" href={href(`/jobs/${encodeURIComponent(s.lastRun.jobId)}`)}>
          {shortId(s.lastRun.jobId)}
        </a>{' '}
        <StateBadge state={s.lastRun.state} />
      </span>
    );
  }
  return <RelativeTime value={s.lastFireAt} />;
}

/** A table row. */
export function ScheduleRow({ schedule: s, canAct, onDone, onEdit }: ScheduleRowProps) {
  const [triggered, setTriggered] = useState<JobJson | null>(null);
  const words = describeSpec(s.spec);
  const next = s.nextFireTimes?.length ? s.nextFireTimes : s.nextFireAt ? [s.nextFireAt] : [];
  const act = (a: 'pause' | 'resume' | 'delete') => () => endpoints.scheduleAction(s.name, a).then(onDone);
  const trigger = async (): Promise<void> => {
    setTriggered(await endpoints.scheduleTrigger(s.name));
    onDone();
  };
  return (
    <tr data-schedule={s.name}>
      <th scope="row" className="card-title">
        {s.name}
        {s.paused ? <span className="badge paused">paused</span> : null}
      </th>
      <td data-label="when">
        <code>{s.spec}</code>
        {words !== s.spec ? <div className="muted">{words}</div> : null}
      </td>
      <td data-label="time zone">{s.timezone ?? 'UTC'}</td>
      <td data-label="job">
        <code>{s.template.type}</code> → {s.template.queue ?? 'default'}
      </td>
      <td data-label="next">
        {next.length ? (
          <ul className="plain">
            {next.slice(0, 3).map((t) => (
              <li key={t}>{inZone(t, s.timezone)}</li>
            ))}
          </ul>
        ) : (
          '—'
        )}
      </td>
      <td data-label="last run">
        <LastRun s={s} />
      </td>
      {canAct ? (
        <td data-label="actions">
          <div className="actions">
            <ActionButton onRun={act(s.paused ? 'resume' : 'pause')}>{s.paused ? 'Resume' : 'Pause'}</ActionButton>
            <ActionButton onRun={trigger}>Trigger now</ActionButton>
            <button type="button" className="btn btn-plain" onClick={() => onEdit(s)}>
              Edit
            </button>
            <ConfirmButton variant="danger" question={`Remove schedule ${s.name}?`} onConfirm={act('delete')}>
              Remove
            </ConfirmButton>
          </div>
          {triggered ? (
            <p className="small" role="status" data-testid="triggered">
              Triggered: job{' '}
              <a className="mono" href={href(`/jobs/${encodeURIComponent(triggered.id)}`)}>
                {shortId(triggered.id)}
              </a>{' '}
              enqueued in {triggered.queue}.
            </p>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}
