/** The schedules page; says so plainly when the server has no schedules API yet. */
import { ApiError } from '../api/http.js';
import { endpoints } from '../api/endpoints.js';
import { ErrorBanner } from '../components/error-banner.js';
import { ScheduleRow } from '../components/schedule-row.js';
import { useCanAct } from '../hooks/use-auth.js';
import { useResource } from '../hooks/use-resource.js';

/** Recurring schedules with their next fire times. */
export function SchedulesPage() {
  const canAct = useCanAct();
  const list = useResource(endpoints.schedules, 'schedules', (e) => e.type === 'schedule.fired');
  const missing = list.error instanceof ApiError && list.error.status === 404;
  return (
    <div className="page">
      <h1>Schedules</h1>
      {missing ? <p className="muted">This server does not offer schedules.</p> : <ErrorBanner error={list.error} />}
      {list.data && list.data.length === 0 ? (
        <p className="muted">No schedules. Add one with `gantry schedules add`.</p>
      ) : null}
      {list.data && list.data.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="schedules-table">
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
                <ScheduleRow key={s.name} schedule={s} canAct={canAct} onDone={list.reload} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
