/**
 * Gantry: distributed background jobs for TypeScript. The public API, listed name by name.
 * Engine authors find the storage contract in `gantry/backend`; the HTTP server is
 * `gantry/server`.
 * @packageDocumentation
 */
export { Client, type ClientOptions, type ListOptions } from './client/client.js';
export { ScheduleClient, type ScheduleSetOptions } from './client/schedules.js';
export { Worker } from './worker/worker.js';
export type { Handler, Handlers, JobContext, Logger, Middleware, WorkerEvents, WorkerOptions } from './worker/types.js';
export {
  Maintenance,
  type MaintenanceOptions,
  type MaintenanceReport,
  type RetentionOptions,
} from './maintenance/maintenance.js';
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

export {
  GantryError,
  ValidationError,
  PayloadTooLargeError,
  NotFoundError,
  InvalidTransitionError,
  UniqueConflictError,
  QueueFullError,
  LeaseLostError,
  EngineUnavailableError,
  MigrationError,
  UnsupportedUrlError,
  JobTimeoutError,
  JobCancelledError,
  JobFailedError,
  UnrecoverableError,
  UnstorableError,
  ScheduleParseError,
  type ErrorCode,
} from './core/errors.js';
export { UnknownJobTypeError, WorkerShutdownError } from './worker/errors.js';

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
export type { EnqueueOptions, EnqueueRequest } from './core/validate.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './core/backoff.js';
export { EVENT_TYPES, type EventType, type GantryEvent, type EventFilter } from './core/events.js';
export { jobToJson, type JobJson, type JobErrorJson } from './core/serialize.js';
export type { StateCounts, SizePolicy } from './core/queue-rules.js';
export type { QueueInfo, QueueSettings, WorkerInfo, ScheduleRecord } from './backend/backend.js';
export { systemClock, ManualClock, type Clock } from './core/clock.js';
export { newId } from './core/ids.js';
export {
  DEFAULT_URL,
  DEFAULT_QUEUE,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_LEASE_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  PRIORITY_ALIASES,
} from './core/constants.js';
