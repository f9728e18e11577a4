/**
 * Gantry: distributed background jobs for TypeScript. The public API.
 * @packageDocumentation
 */
export { Client, type ClientOptions, type ListOptions } from './client/client.js';
export * from './core/errors.js';
export { systemClock, ManualClock, type Clock } from './core/clock.js';
export { newId } from './core/ids.js';
export {
  JOB_STATES,
  LIVE_STATES,
  FINAL_STATES,
  TRANSITIONS,
  canTransition,
  type Job,
  type JobState,
  type JobError,
  type JobProgress,
} from './core/job.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './core/backoff.js';
export type { EnqueueOptions, EnqueueRequest } from './core/validate.js';
export { EVENT_TYPES, type EventType, type GantryEvent, type EventFilter } from './core/events.js';
export { jobToJson, type JobJson } from './core/serialize.js';
export * as defaults from './core/constants.js';
export { openBackend } from './backend/open.js';
export type {
  Backend,
  BackendCapabilities,
  BackendOptions,
  QueueInfo,
  QueueSettings,
  StateCounts,
  WorkerInfo,
  ScheduleRecord,
} from './backend/backend.js';
export { Worker } from './worker/worker.js';
export { UnknownJobTypeError, WorkerShutdownError } from './worker/errors.js';
export type { Handler, Handlers, JobContext, Logger, Middleware, WorkerEvents, WorkerOptions } from './worker/types.js';
export { Maintenance, type MaintenanceOptions, type MaintenanceReport } from './maintenance/maintenance.js';
export { decideRetry, type RetryDecision } from './core/retry.js';
export { ScheduleClient, type ScheduleSetOptions } from './client/schedules.js';
export {
  Scheduler,
  parseSchedule,
  nextFireTimes,
  previewSchedule,
  scheduleToJson,
  type SchedulerOptions,
  type TickResult,
  type FiredJob,
  type ScheduleSpec,
  type MisfirePolicy,
  type ScheduleTemplate,
  type ScheduleInfo,
  type ScheduleJson,
} from './scheduler/index.js';
