/**
 * The schedules page: every schedule with its next fire times and last run; add, edit, pause,
 * resume, trigger and remove. Says so plainly when the server has no schedules API.
 */
import { useCallback, useState } from 'react';
import { ApiError } from '../api/http.js';
import { endpoints } from '../api/endpoints.js';
import type { GantryEvent, ScheduleJson } from '../api/types.js';
import { ErrorBanner } from '../components/error-banner.js';
import { ScheduleForm } from '../components/schedule-form.js';
import { ScheduleRow } from '../components/schedule-row.js';
import { useCanAct } from '../hooks/use-auth.js';
import { useResource } from '../hooks/use-resource.js';

/** Recurring schedules with their next fire times. */
export function SchedulesPage() {
  const canAct = useCanAct();
  // `null`: no form; `'new'`: adding; a schedule: editing it.
  const [editing, setEditing] = useState<ScheduleJson | 'new' | null>(null);
  const [runIds, setRunIds] = useState<Set<string>>(new Set());
  // A fire, or a change of a job some schedule's "last run" shows.
  const affects = useCallback(
    (e: GantryEvent) => e.type === 'schedule.fired' || (e.jobId !== undefined && runIds.has(e.jobId)),
    [runIds],
  );
  const list = useResource(
    async () => {
      const all = await endpoints.schedules();
      setRunIds(new Set(all.flatMap((s) => (s.lastRun ? [s.lastRun.jobId] : []))));
      return all;
    },
    'schedules',
    affects,
  );
  const missing = list.error instanceof ApiError && list.error.status === 404;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Schedules</h1>
        {canAct && editing === null ? (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            Add schedule
          </button>
        ) : null}
      </div>
      {editing !== null ? (
        <ScheduleForm
          key={editing === 'new' ? 'new' : editing.name}
          initial={editing === 'new' ? null : editing}
          onSaved={() => {
            setEditing(null);
            list.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {missing ? <p className="muted">This server does not offer schedules.</p> : <ErrorBanner error={list.error} />}
      {list.data && list.data.length === 0 ? (
        <p className="muted">No schedules. Add one here or with `gantry schedules add`.</p>
      ) : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-wrap">
          <table className="table cards" data-testid="schedules-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">When</th>
                <th scope="col">Time zone</th>
                <th scope="col">Job</th>
                <th scope="col">Next fire times</th>
                <th scope="col">Last run</th>
                {canAct ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.data.map((s) => (
                <ScheduleRow key={s.name} schedule={s} canAct={canAct} onDone={list.reload} onEdit={setEditing} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
