/** One schedule: its spec in plain words, time zone, next fire times, last run and actions. */
import { endpoints } from '../api/endpoints.js';
import type { ScheduleJson } from '../api/types.js';
import { describeSpec } from '../lib/describe-spec.js';
import { ActionButton } from './action-button.js';
import { RelativeTime } from './relative-time.js';

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
}

/** A table row. */
export function ScheduleRow({ schedule: s, canAct, onDone }: ScheduleRowProps) {
  const words = describeSpec(s.spec);
  const next = s.nextFireTimes?.length ? s.nextFireTimes : s.nextFireAt ? [s.nextFireAt] : [];
  const act = (a: 'pause' | 'resume' | 'trigger' | 'delete') => () => endpoints.scheduleAction(s.name, a).then(onDone);
  return (
    <tr data-schedule={s.name}>
      <th scope="row">
        {s.name}
        {s.paused ? <span className="badge paused">paused</span> : null}
      </th>
      <td>
        <code>{s.spec}</code>
        {words !== s.spec ? <div className="muted">{words}</div> : null}
      </td>
      <td>{s.timezone ?? 'UTC'}</td>
      <td>
        <code>{s.template.type}</code> → {s.template.queue ?? 'default'}
      </td>
      <td>
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
      <td>
        <RelativeTime value={s.lastFireAt} />
      </td>
      {canAct ? (
        <td>
          <div className="actions">
            <ActionButton onRun={act(s.paused ? 'resume' : 'pause')}>{s.paused ? 'Resume' : 'Pause'}</ActionButton>
            <ActionButton onRun={act('trigger')}>Trigger now</ActionButton>
            <ActionButton variant="danger" onRun={act('delete')}>
              Remove
            </ActionButton>
          </div>
        </td>
      ) : null}
    </tr>
  );
}
