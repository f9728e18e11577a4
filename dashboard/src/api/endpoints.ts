/**
 * Every API call the dashboard makes, one function each, so the paths of the public contract
 * (docs/http-api.md) are written once.
 */
import { api, query } from './http.js';
import type {
  JobFilter,
  JobJson,
  JobPage,
  JobState,
  QueueJson,
  Role,
  ScheduleBody,
  ScheduleJson,
  Stats,
  WorkerJson,
} from './types.js';

/** A queue's defaults: its jobs' timeout and attempts when they name none, its weight for workers. */
export interface QueueDefaults {
  timeoutMs: number | null;
  maxAttempts: number | null;
  weight: number | null;
}

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
  /** Jobs the filter matched in states the action does not apply to, by state. */
  ineligible?: Partial<Record<JobState, number>>;
}

/** A bulk action's target: the given ids, or every job matching a filter. */
export type BulkTarget = { ids: string[] } | { filter: JobFilter };

/** A job action. `promote` runs a delayed or retrying job now. */
export type JobAction = 'retry' | 'cancel' | 'delete' | 'promote';

/** A bulk action. */
export type BulkAction = 'retry' | 'cancel' | 'delete';

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
  /** Runs `action` on job `id` (`promote`: run a delayed or retrying job now). */
  async jobAction(id: string, action: JobAction): Promise<void> {
    if (action === 'delete') await api(`/jobs/${enc(id)}`, { method: 'DELETE' });
    else await api(`/jobs/${enc(id)}/${action}`, { method: 'POST', body: {} });
  },
  /**
   * Applies `action` to every target job (the server skips jobs whose state does not allow it,
   * and counts them); `force` deletes live jobs too.
   */
  async bulk(action: BulkAction, target: BulkTarget, force = false): Promise<BulkResult> {
    const filter = 'ids' in target ? { id: target.ids.join(',') } : target.filter;
    return api<BulkResult>(`/jobs/bulk/${action}${query({ ...filter, ...(force ? { force: 'true' } : {}) })}`, {
      method: 'POST',
    });
  },
  /** Enqueues one job from the body `POST /jobs` takes (type, payload and options). */
  async enqueue(body: Record<string, unknown>): Promise<JobJson> {
    return api<JobJson>('/jobs', { method: 'POST', body });
  },
  /** Every queue; `loadedAt` is when the answer came (the latency it reports keeps growing from there). */
  async queues(): Promise<(QueueJson & { loadedAt: number })[]> {
    const list = unwrap<QueueJson[]>(await api('/queues'), 'queues');
    const loadedAt = Date.now();
    return list.map((q) => ({ ...q, loadedAt }));
  },
  async queuePause(name: string, paused: boolean): Promise<void> {
    await api(`/queues/${enc(name)}/${paused ? 'pause' : 'resume'}`, { method: 'POST', body: {} });
  },
  async queueConcurrency(name: string, concurrency: number | null): Promise<void> {
    await api(`/queues/${enc(name)}`, { method: 'PATCH', body: { concurrency } });
  },
  /** Sets a queue's defaults (`null` clears one). */
  async queueDefaults(name: string, defaults: QueueDefaults): Promise<void> {
    await api(`/queues/${enc(name)}`, { method: 'PATCH', body: { ...defaults } });
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
  async scheduleAction(name: string, action: 'pause' | 'resume' | 'delete'): Promise<void> {
    if (action === 'delete') await api(`/schedules/${enc(name)}`, { method: 'DELETE' });
    else await api(`/schedules/${enc(name)}/${action}`, { method: 'POST', body: {} });
  },
  /** Enqueues the schedule's job now; returns that job. */
  async scheduleTrigger(name: string): Promise<JobJson> {
    return api<JobJson>(`/schedules/${enc(name)}/trigger`, { method: 'POST', body: {} });
  },
  /** Creates or replaces a schedule. */
  async scheduleSave(name: string, body: ScheduleBody): Promise<ScheduleJson> {
    return api<ScheduleJson>(`/schedules/${enc(name)}`, { method: 'PUT', body });
  },
  /** The next fire times of a spec, without storing it. */
  async schedulePreview(spec: string, timezone: string | null, n = 3): Promise<string[]> {
    return (await api<{ times: string[] }>(`/schedules/preview${query({ spec, timezone, n })}`)).times;
  },
};
