/**
 * Validation of an enqueue request: what a producer gives turned into the `NewJob` every engine
 * stores. Part of the validation module (`validate.ts`, which re-exports it), used by the
 * Client, the CLI, the HTTP server and the scheduler alike.
 */
import { parseBackoff, type BackoffPolicy } from './backoff.js';
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_QUEUE,
  MAX_TAGS,
  MAX_UNIQUE_KEY_LENGTH,
} from './constants.js';
import { parseDuration } from './duration.js';
import { ValidationError } from './errors.js';
import { newId } from './ids.js';
import type { NewJob } from './job.js';
import { parsePriority, type Priority } from './priority.js';
import {
  checkPayload,
  parseTime,
  validateJobId,
  validateQueue,
  validateStoredDuration,
  validateTag,
  validateText,
  validateType,
} from './validate.js';

/** Options of one enqueue. */
export interface EnqueueOptions {
  /** Your own id (idempotency key); default a new UUIDv7. Enqueueing an existing id returns that job. */
  id?: string;
  queue?: string;
  priority?: Priority;
  /** Run after this delay: ms or a duration like `10s`. Exclusive with `runAt`. */
  delay?: number | string;
  /** Not before this time. */
  runAt?: Date | string | number;
  /** Attempts allowed; 1 = no retry. */
  maxAttempts?: number;
  /**
   * Backoff policy, or a fixed delay (ms or duration text like `500ms`), or a list of delays
   * (an array, or text like `1s,5s,30s`), or `exponential`.
   */
  backoff?: BackoffPolicy | number | string | (number | string)[];
  /** Most one attempt may run: ms or duration text. */
  timeout?: number | string;
  /** Not started after this time, else `expired`. */
  deadline?: Date | string | number;
  /** At most one live job per key. */
  uniqueKey?: string;
  /** Keep the key reserved this long after the job ends: ms or duration text. */
  uniqueWindow?: number | string;
  /**
   * Delete the job when its handler returns instead of keeping it as `completed` (BullMQ's
   * `removeOnComplete`, graphile-worker's only way): no finished row to store, update or prune.
   * `waitFor` and the `job.completed` event still give the result; once deleted, its id may be
   * enqueued again. Exclusive with `uniqueWindow`, which needs the finished row. Default false.
   */
  deleteOnComplete?: boolean;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

/** One job to enqueue: its type, payload and options. */
export interface EnqueueRequest extends EnqueueOptions {
  type: string;
  payload?: unknown;
}

/** Limits that validation applies. */
export interface ValidationLimits {
  maxPayloadBytes?: number;
}

const OPTION_KEYS = new Set([
  'type',
  'payload',
  'id',
  'queue',
  'priority',
  'delay',
  'runAt',
  'maxAttempts',
  'backoff',
  'timeout',
  'deadline',
  'uniqueKey',
  'uniqueWindow',
  'deleteOnComplete',
  'tags',
  'metadata',
]);

function validateTags(tags: unknown): string[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags) || tags.length > MAX_TAGS) {
    throw new ValidationError(`tags must be a list of at most ${MAX_TAGS} strings, got ${JSON.stringify(tags)}`);
  }
  return [...new Set(tags.map((t, i) => validateTag(t, `tags[${i}]`)))];
}

function validateMetadata(m: unknown, maxBytes: number): Record<string, unknown> {
  if (m === undefined) return {};
  if (m === null || typeof m !== 'object' || Array.isArray(m))
    throw new ValidationError('metadata must be a JSON object');
  checkPayload(m, maxBytes, 'metadata');
  return m as Record<string, unknown>;
}

function validateMaxAttempts(v: unknown): number {
  if (v === undefined) return DEFAULT_MAX_ATTEMPTS;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1000) {
    throw new ValidationError(`maxAttempts must be an integer from 1 (no retry) to 1000, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** `deleteOnComplete`: a boolean, and never with a unique window (which needs the finished row). */
function validateDeleteOnComplete(req: EnqueueRequest): boolean {
  const v = req.deleteOnComplete;
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean')
    throw new ValidationError(`deleteOnComplete must be true or false, got ${JSON.stringify(v)}`);
  if (v && req.uniqueWindow !== undefined && req.uniqueWindow !== null) {
    throw new ValidationError(
      'deleteOnComplete and uniqueWindow cannot be used together: the window keeps the unique key reserved by the finished job, which deleteOnComplete removes; drop one of them',
    );
  }
  return v;
}

function validateRunAt(req: EnqueueRequest, now: number): Date {
  if (req.delay !== undefined && req.runAt !== undefined) {
    throw new ValidationError('give either delay or runAt, not both');
  }
  // parseDuration bounds the delay, so the time it makes is representable.
  if (req.delay !== undefined) return new Date(now + parseDuration(req.delay, 'delay'));
  if (req.runAt !== undefined) return parseTime(req.runAt, 'runAt');
  return new Date(now);
}

/** Which fields a request leaves to the defaults (one shared array per case: no allocation per job). */
const DEFAULTED: Record<string, NewJob['defaulted']> = {
  both: ['maxAttempts', 'timeoutMs'],
  maxAttempts: ['maxAttempts'],
  timeoutMs: ['timeoutMs'],
};

function defaultedOf(req: EnqueueRequest): NewJob['defaulted'] {
  const noAttempts = req.maxAttempts === undefined;
  const noTimeout = req.timeout === undefined || req.timeout === null;
  if (noAttempts && noTimeout) return DEFAULTED.both;
  if (noAttempts) return DEFAULTED.maxAttempts;
  return noTimeout ? DEFAULTED.timeoutMs : undefined;
}

/**
 * Validates one enqueue request and makes the job to store. Throws `ValidationError` (or
 * `PayloadTooLargeError`) naming the field and what is expected.
 */
export function validateEnqueue(req: EnqueueRequest, now: number, limits: ValidationLimits = {}): NewJob {
  if (req === null || typeof req !== 'object')
    throw new ValidationError('a job must be an object with at least a type');
  for (const key of Object.keys(req)) {
    if (!OPTION_KEYS.has(key)) {
      throw new ValidationError(`unknown job option ${JSON.stringify(key)}; known: ${[...OPTION_KEYS].join(', ')}`);
    }
  }
  const type = validateType(req.type);
  const maxBytes = limits.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  checkPayload(req.payload, maxBytes);
  if (req.id !== undefined) validateJobId(req.id);
  const runAt = validateRunAt(req, now);
  const deadline = req.deadline === undefined || req.deadline === null ? null : parseTime(req.deadline, 'deadline');
  if (req.uniqueKey !== undefined) validateText(req.uniqueKey, { field: 'uniqueKey', max: MAX_UNIQUE_KEY_LENGTH });
  const deleteOnComplete = validateDeleteOnComplete(req);
  const timeoutMs =
    req.timeout === undefined || req.timeout === null ? null : validateStoredDuration(req.timeout, 'timeout');
  if (timeoutMs === 0) throw new ValidationError('timeout must be > 0 (leave it out for no limit)');
  return {
    id: req.id ?? newId(now),
    type,
    queue: req.queue === undefined ? DEFAULT_QUEUE : validateQueue(req.queue),
    payload: req.payload === undefined ? null : req.payload,
    priority: parsePriority(req.priority),
    state: runAt.getTime() > now ? 'scheduled' : 'queued',
    maxAttempts: validateMaxAttempts(req.maxAttempts),
    backoff: parseBackoff(req.backoff),
    timeoutMs,
    runAt,
    deadline,
    uniqueKey: req.uniqueKey ?? null,
    uniqueWindowMs:
      req.uniqueWindow === undefined || req.uniqueWindow === null
        ? null
        : validateStoredDuration(req.uniqueWindow, 'uniqueWindow'),
    deleteOnComplete,
    createdAt: new Date(now),
    tags: validateTags(req.tags),
    metadata: validateMetadata(req.metadata, maxBytes),
    freshId: req.id === undefined,
    defaulted: defaultedOf(req),
  };
}
