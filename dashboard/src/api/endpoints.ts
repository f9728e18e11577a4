/**
 * Every API call the dashboard makes, one function each, so the paths of the public contract
 * (issue 5) are written once.
 */
import { api, ApiError, query } from './http.js';
import type { JobFilter, JobJson, JobPage, QueueJson, Role, ScheduleJson, WorkerJson } from './types.js';

/** Unwraps `{ [key]: value }` or a bare value, so either style of response reads the same. */
function unwrap<T>(body: unknown, key: string): T {
  if (body && typeof body === 'object' && !Array.isArray(body) && key in body) {
    return (body as Record<string, unknown>)[key] as T;
  }
  return body as T;
}

const enc = encodeURIComponent;

/** A bulk action's target: the given ids, or every job matching a filter. */
export type BulkTarget = { ids: string[] } | { filter: JobFilter };

/** A job action. */
export type JobAction = 'retry' | 'cancel' | 'delete';

/** The API calls. */
export const endpoints = {
  /** The caller's role; `null` when the server has no such endpoint. */
  async whoami(): Promise<Role | null> {
    try {
      const body = await api<{ role?: Role }>('/whoami');
      return body?.role ?? null;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  },
  async jobs(filter: JobFilter, limit: number, cursor: string | null): Promise<JobPage> {
    const { id: _id, ...rest } = filter;
    return api<JobPage>(`/jobs${query({ ...rest, limit, cursor })}`);
  },
  async job(id: string): Promise<JobJson> {
    return unwrap<JobJson>(await api(`/jobs/${enc(id)}`), 'job');
  },
  async jobAction(id: string, action: JobAction): Promise<void> {
    if (action === 'delete') await api(`/jobs/${enc(id)}`, { method: 'DELETE' });
    else await api(`/jobs/${enc(id)}/${action}`, { method: 'POST', body: {} });
  },
  /** Applies `action` to every target job; resolves to how many the server changed. */
  async bulk(action: JobAction, target: BulkTarget): Promise<number> {
    const body = 'ids' in target ? { ids: target.ids } : { ...target.filter };
    const res = await api<{ count?: number; affected?: number }>(`/jobs/bulk/${action}`, { method: 'POST', body });
    return res?.count ?? res?.affected ?? 0;
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
