/**
 * Every API call the dashboard makes, one function each, so the paths of the public contract
 * (issue 5) are written once.
 */
import { api, ApiError, query } from './http.js';
import type { JobFilter, JobJson, JobPage, QueueJson, Role, ScheduleJson, Stats, WorkerJson } from './types.js';

/** Unwraps `{ [key]: value }` or a bare value, so either style of response reads the same. */
function unwrap<T>(body: unknown, key: string): T {
  if (body && typeof body === 'object' && !Array.isArray(body) && key in body) {
    return (body as Record<string, unknown>)[key] as T;
  }
  return body as T;
}

const enc = encodeURIComponent;

/** An id no job has (ids are UUIDv7), so the role probe changes nothing. */
const ROLE_PROBE_ID = 'gantry-dashboard-role-probe';

/** What a bulk action reports. */
export interface BulkResult {
  matched: number;
  affected: number;
  skipped: { id: string; code: string; message: string }[];
  /** More jobs matched than one call handles: call again. */
  more: boolean;
}

/** A bulk action's target: the given ids, or every job matching a filter. */
export type BulkTarget = { ids: string[] } | { filter: JobFilter };

/** A job action. */
export type JobAction = 'retry' | 'cancel' | 'delete';

/** The API calls. */
export const endpoints = {
  /**
   * The caller's role, from `GET /whoami` when the server has it. Otherwise from a no-op
   * admin call (a bulk retry of a job id that cannot exist): 200 means admin, and a 403 names
   * the role. Sends 401 to the auth store like any call.
   */
  async whoami(): Promise<Role> {
    try {
      const body = await api<{ role?: Role }>('/whoami');
      if (body?.role) return body.role;
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
    try {
      await api(`/jobs/bulk/retry${query({ id: ROLE_PROBE_ID })}`, { method: 'POST' });
      return 'admin';
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) return (err.details.role as Role | undefined) ?? 'read';
      throw err;
    }
  },
  async jobs(filter: JobFilter, limit: number, cursor: string | null): Promise<JobPage> {
    return api<JobPage>(`/jobs${query({ ...filter, limit, cursor })}`);
  },
  async job(id: string): Promise<JobJson> {
    return unwrap<JobJson>(await api(`/jobs/${enc(id)}`), 'job');
  },
  async jobAction(id: string, action: JobAction): Promise<void> {
    if (action === 'delete') await api(`/jobs/${enc(id)}`, { method: 'DELETE' });
    else await api(`/jobs/${enc(id)}/${action}`, { method: 'POST', body: {} });
  },
  /** Applies `action` to every target job (the server skips jobs whose state does not allow it). */
  async bulk(action: JobAction, target: BulkTarget): Promise<BulkResult> {
    const filter = 'ids' in target ? { id: target.ids.join(',') } : target.filter;
    return api<BulkResult>(`/jobs/bulk/${action}${query({ ...filter })}`, { method: 'POST' });
  },
  async queues(): Promise<QueueJson[]> {
    return unwrap<QueueJson[]>(await api('/queues'), 'queues');
  },
  async queuePause(name: string, paused: boolean): Promise<void> {
    await api(`/queues/${enc(name)}/${paused ? 'pause' : 'resume'}`, { method: 'POST', body: {} });
  },
  async queueConcurrency(name: string, concurrency: number | null): Promise<void> {
    await api(`/queues/${enc(name)}`, { method: 'PATCH', body: { concurrency } });
  },
  async stats(): Promise<Stats> {
    return api<Stats>('/stats');
  },
  async workers(): Promise<WorkerJson[]> {
    return unwrap<WorkerJson[]>(await api('/workers'), 'workers');
  },
  async schedules(): Promise<ScheduleJson[]> {
    return unwrap<ScheduleJson[]>(await api('/schedules'), 'schedules');
  },
  async scheduleAction(name: string, action: 'pause' | 'resume' | 'trigger' | 'delete'): Promise<void> {
    if (action === 'delete') await api(`/schedules/${enc(name)}`, { method: 'DELETE' });
    else await api(`/schedules/${enc(name)}/${action}`, { method: 'POST', body: {} });
  },
};
