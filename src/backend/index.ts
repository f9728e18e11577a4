/**
 * For engine authors (`gantry/backend`): the storage contract every engine implements, how an
 * engine is assembled from its operations, the job record it stores and the readers derived
 * from it, and `openBackend`. Applications use `Client` and `Worker` from `gantry` instead.
 * @packageDocumentation
 */
export type {
  Backend,
  BackendCapabilities,
  BackendOptions,
  BackendFactory,
  ClaimParams,
  CompleteItem,
  EnqueueOutcome,
  FailItem,
  JobFilter,
  PruneParams,
  QueueInfo,
  QueueSettings,
  ReleaseItem,
  ScheduleRecord,
  StateCounts,
  WorkerInfo,
} from './backend.js';
export { backendOf, opsOn, type BackendMethod, type EngineInfo, type EngineOp, type EngineOps } from './engine-ops.js';
export { jobReader, type Decoder, type Decoders, type JobReader } from './job-reader.js';
export { openBackend, engineOf } from './open.js';
export {
  JOB_FIELDS,
  JOB_FIELD_NAMES,
  ENQUEUE_FIELDS,
  CLAIM_READ_FIELDS,
  CLAIM_SET_FIELDS,
  type JobField,
  type JobFieldKind,
  type JobFieldSpec,
} from '../core/job-record.js';
export type { NewJob } from '../core/job.js';
