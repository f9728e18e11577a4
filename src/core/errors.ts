/**
 * Typed errors. Each has a stable `code` callers can switch on, a message that says what to
 * do, and an optional `cause`. The HTTP server maps codes to statuses (src/server/errors.ts).
 */

/** Stable error codes of Gantry. */
export type ErrorCode =
  | 'VALIDATION'
  | 'PAYLOAD_TOO_LARGE'
  | 'NOT_FOUND'
  | 'AMBIGUOUS_ID'
  | 'INVALID_TRANSITION'
  | 'UNIQUE_CONFLICT'
  | 'QUEUE_FULL'
  | 'QUEUE_NOT_EMPTY'
  | 'LEASE_LOST'
  | 'ENGINE_UNAVAILABLE'
  | 'MIGRATION'
  | 'UNSUPPORTED_URL'
  | 'UNKNOWN_JOB_TYPE'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'JOB_FAILED'
  | 'SCHEDULE_PARSE'
  | 'UNRECOVERABLE'
  | 'SHUTDOWN'
  | 'LEASE_EXPIRED'
  | 'UNSTORABLE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INTERNAL';

/** Base class of every Gantry error. */
export class GantryError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Extra structured details (ids, fields). */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

/** An input was not valid; the message names the field and what is expected. */
export class ValidationError extends GantryError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('VALIDATION', message, options);
  }
}

/** What to do about a JSON document over its limit, by the field that carries it. */
const TOO_LARGE_HINTS: Record<string, string> = {
  payload: 'store large data elsewhere and pass a reference, or raise maxPayloadBytes',
  result: 'store large results elsewhere and return a reference',
};

/** A payload (or another JSON document: `field` names it) was larger than its limit. */
export class PayloadTooLargeError extends GantryError {
  constructor(bytes: number, limit: number, field = 'payload') {
    const hint = TOO_LARGE_HINTS[field] ?? 'make it smaller, or store it elsewhere and pass a reference';
    super('PAYLOAD_TOO_LARGE', `${field} is ${bytes} bytes, over the limit of ${limit}; ${hint}`, {
      details: { bytes, limit, field },
    });
  }
}

/**
 * Why something may be missing, by kind: only a job can disappear by itself (retention, or
 * `deleteOnComplete`); a schedule or a queue is removed only by someone.
 */
const NOT_FOUND_HINTS: Record<string, string> = {
  job: 'it may have been deleted by retention, or when it completed if it was enqueued with deleteOnComplete',
  schedule: 'list the schedules to see their names',
  queue: 'a queue appears once a job is enqueued to it or its settings are changed; list the queues to see their names',
};

/** No job (or schedule, queue) with that id or name. */
export class NotFoundError extends GantryError {
  constructor(what: string, id: string) {
    const hint = NOT_FOUND_HINTS[what];
    super('NOT_FOUND', `${what} ${JSON.stringify(id)} does not exist${hint ? ` (${hint})` : ''}`, {
      details: { what, id },
    });
  }
}

/** A short id (the tail of a job id) that more than one job's id ends with. */
export class AmbiguousIdError extends GantryError {
  constructor(id: string, matches: string[]) {
    super(
      'AMBIGUOUS_ID',
      `short id ${JSON.stringify(id)} matches ${matches.length} jobs (${matches.join(', ')}); give more of the id, or all of it`,
      { details: { id, matches } },
    );
  }
}

/** An HTTP request named a path (or method) the API does not have. */
export class RouteNotFoundError extends GantryError {
  constructor(method: string, path: string) {
    super(
      'NOT_FOUND',
      `there is no route ${method} ${path}; /openapi.json lists every route (the API is under /api/v1)`,
      {
        details: { method, path },
      },
    );
  }
}

/** A state change that the state machine does not allow (`TRANSITIONS` in core/job.ts). */
export class InvalidTransitionError extends GantryError {
  constructor(id: string, from: string, to: string, hint?: string) {
    super('INVALID_TRANSITION', `job ${id} cannot go from ${from} to ${to}${hint ? `: ${hint}` : ''}`, {
      details: { id, from, to },
    });
  }
}

/** A live job (or one in its unique window) already holds this unique key. */
export class UniqueConflictError extends GantryError {
  /** The id of the job that holds the key. */
  readonly existingId: string;
  constructor(uniqueKey: string, existingId: string) {
    super(
      'UNIQUE_CONFLICT',
      `unique key ${JSON.stringify(uniqueKey)} is held by job ${existingId}; wait for it to finish or use another key`,
      { details: { uniqueKey, existingId } },
    );
    this.existingId = existingId;
  }
}

/** The queue is at its size cap and its policy is `reject`. */
export class QueueFullError extends GantryError {
  constructor(queue: string, cap: number) {
    super(
      'QUEUE_FULL',
      `queue ${JSON.stringify(queue)} holds its cap of ${cap} waiting jobs; retry later or raise the cap`,
      {
        details: { queue, cap },
      },
    );
  }
}

/** A queue that still holds jobs cannot be removed. */
export class QueueNotEmptyError extends GantryError {
  constructor(queue: string, jobs: number) {
    super(
      'QUEUE_NOT_EMPTY',
      `queue ${JSON.stringify(queue)} still holds ${jobs} job${jobs === 1 ? '' : 's'}; only a queue without jobs can be removed (delete them, or let retention remove finished ones, first)`,
      { details: { queue, jobs } },
    );
  }
}

/** The caller no longer holds the job's lease (it expired, or the job was cancelled or re-claimed). */
export class LeaseLostError extends GantryError {
  constructor(id: string, workerId: string) {
    super('LEASE_LOST', `worker ${workerId} no longer holds the lease of job ${id}; its result was not recorded`, {
      details: { id, workerId },
    });
  }
}

/** The engine could not be reached. */
export class EngineUnavailableError extends GantryError {
  constructor(message: string, cause?: unknown) {
    super('ENGINE_UNAVAILABLE', message, { cause });
  }
}

/** The database schema is behind or ahead of this version of Gantry. */
export class MigrationError extends GantryError {
  constructor(message: string, cause?: unknown) {
    super('MIGRATION', message, { cause });
  }
}

/** The engine URL has a scheme Gantry does not know. */
export class UnsupportedUrlError extends GantryError {
  constructor(url: string, reason?: string) {
    super(
      'UNSUPPORTED_URL',
      `cannot open ${JSON.stringify(url)}: ${reason ? `${reason}; ` : ''}use sqlite:<file> or postgres://…`,
      { details: { url } },
    );
  }
}

/** A job's attempt ran past its `timeoutMs`. */
export class JobTimeoutError extends GantryError {
  constructor(timeoutMs: number) {
    super('TIMEOUT', `attempt timed out after ${timeoutMs} ms`, { details: { timeoutMs } });
  }
}

/** A job was cancelled. */
export class JobCancelledError extends GantryError {
  constructor(id: string) {
    super('CANCELLED', `job ${id} was cancelled`, { details: { id } });
  }
}

/** `waitFor` saw the job end in `failed` or `expired`. */
export class JobFailedError extends GantryError {
  constructor(id: string, state: string, lastError?: string) {
    super('JOB_FAILED', `job ${id} ended ${state}${lastError ? `: ${lastError}` : ''}`, {
      details: { id, state },
    });
  }
}

/**
 * Throw this from a handler to fail the job at once, without retry (it goes to the dead letter
 * view as `failed`).
 */
export class UnrecoverableError extends GantryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNRECOVERABLE', message, options);
  }
}

/**
 * An attempt's outcome could not be stored: the handler's result is not storable JSON (too
 * large, too deep, U+0000, a lone surrogate), or the engine refused the write. Like
 * `UnrecoverableError`, the job fails without retry: its handler already ran to the end, and
 * running it again would repeat its side effects to make the same outcome (docs/architecture.md,
 * "Limits").
 */
export class UnstorableError extends GantryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNSTORABLE', message, options);
  }
}

/**
 * A schedule spec (cron expression or natural phrase) could not be read. `details` carries the
 * spec, the 0-based character `position`, the `word` found there and what was `expected`.
 */
export class ScheduleParseError extends GantryError {
  constructor(
    message: string,
    details: { spec: string; position?: number; word?: string; expected?: string },
    options?: { cause?: unknown },
  ) {
    super('SCHEDULE_PARSE', message, { ...options, details });
  }
}
