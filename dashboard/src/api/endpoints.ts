/**
 * Every API call the dashboard makes, one function each, so the paths of the public contract
 * (issue 5) are written once.
 */
import { api, query } from './http.js';
import type { JobFilter, JobJson, JobPage, QueueJson, Role, ScheduleJson, Stats, WorkerJson } from './types.js';

/** Unwraps `{ [key]: value }` or a bare value, so either style of response reads the same. */
function unwrap<T>(body: unknown, key: string): T {
  if (body && typeof body === 'object' && !Array.isArray(body) && key in body) {
    return (body as Record<string, unknown>)[key] as T;
  }
  return body as T;
}

const enc = encodeURIComponent;

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
  /** The caller's role (`GET /whoami`); a 401 goes to the auth store like any call. */
  async whoami(): Promise<Role> {
    return (await api<{ role: Role }>('/whoami')).role;
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
