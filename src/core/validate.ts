/**
 * The validation module: every input Gantry takes from a producer, an operator, a handler or an
 * option is checked here, so every entry point (the Client, the Worker, maintenance, the
 * scheduler, the CLI and the HTTP server) refuses the same inputs with the same messages. The
 * enqueue request lives in `validate-enqueue.ts` and is re-exported here.
 */
import { DEFAULT_LIST_LIMIT, DEFAULT_MAX_PAYLOAD_BYTES, MAX_LIST_LIMIT, MAX_NAME_LENGTH } from './constants.js';
import { PayloadTooLargeError, ValidationError } from './errors.js';
import { JOB_STATES, type JobProgress, type JobState } from './job.js';
import type { QueueSettingsRecord } from './queue-rules.js';

export {
  validateEnqueue,
  type EnqueueOptions,
  type EnqueueRequest,
  type ValidationLimits,
} from './validate-enqueue.js';

const TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/;
const QUEUE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** Validates a job type name (`email.send`). */
export function validateType(type: unknown): string {
  if (typeof type !== 'string' || type.length > MAX_NAME_LENGTH || !TYPE_RE.test(type)) {
    throw new ValidationError(
      `type must be 1-${MAX_NAME_LENGTH} characters of letters, digits and _ . : / - (like "email.send"), got ${JSON.stringify(type)}`,
    );
  }
  return type;
}

/** Validates a queue name (`default`, `emails-high`). */
export function validateQueue(queue: unknown): string {
  if (typeof queue !== 'string' || queue.length > MAX_NAME_LENGTH || !QUEUE_RE.test(queue)) {
    throw new ValidationError(
      `queue must be 1-${MAX_NAME_LENGTH} characters of letters, digits, _ and - (like "emails"), got ${JSON.stringify(queue)}`,
    );
  }
  return queue;
}

/** Parses a time given as a Date, an ISO string or ms since the epoch. */
export function parseTime(input: unknown, field: string): Date {
  const d =
    input instanceof Date
      ? input
      : typeof input === 'number' || (typeof input === 'string' && input.trim() !== '')
        ? new Date(input)
        : null;
  if (!d || Number.isNaN(d.getTime())) {
    throw new ValidationError(
      `${field} must be a date (ISO 8601 text, a Date or ms since the epoch), got ${JSON.stringify(input)}`,
    );
  }
  return d;
}

/** Serialises a payload as JSON and checks its size; throws for values JSON cannot carry. */
export function checkPayload(payload: unknown, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(payload === undefined ? null : payload);
  } catch (cause) {
    throw new ValidationError('payload must be a JSON value (no cycles, no BigInt)', { cause });
  }
  if (text === undefined) throw new ValidationError('payload must be a JSON value (not a function or symbol)');
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) throw new PayloadTooLargeError(bytes, maxBytes);
  return text;
}

/** Validates a job id given by a producer or an operator (an idempotency key). */
export function validateJobId(id: unknown): string {
  if (typeof id !== 'string' || id.length > MAX_NAME_LENGTH || !ID_RE.test(id)) {
    throw new ValidationError(
      `id must be 1-${MAX_NAME_LENGTH} characters of letters, digits and _ . : -, got ${JSON.stringify(id)}`,
    );
  }
  return id;
}

/** Validates job states (of a filter), refusing any that is not a state. */
export function validateStates(states: readonly unknown[]): JobState[] {
  for (const s of states) {
    if (!(JOB_STATES as readonly unknown[]).includes(s)) {
      throw new ValidationError(`state must be one of ${JOB_STATES.join(', ')}, got ${JSON.stringify(s)}`);
    }
  }
  return states as JobState[];
}

/** The page size of a list: `DEFAULT_LIST_LIMIT` when not given, at most `MAX_LIST_LIMIT`. */
export function validateListLimit(limit: unknown): number {
  return intOption(limit, { field: 'limit', fallback: DEFAULT_LIST_LIMIT, min: 1, max: MAX_LIST_LIMIT });
}

/** Validates a change of a queue's settings (a cap is an integer >= 1, or null for none). */
export function validateQueueSettings(settings: Partial<QueueSettingsRecord>): Partial<QueueSettingsRecord> {
  for (const field of ['concurrency', 'sizeCap'] as const) {
    const v = settings[field];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 1)) {
      throw new ValidationError(`${field} must be an integer >= 1, or null for no cap; got ${v}`);
    }
  }
  if (settings.paused !== undefined && typeof settings.paused !== 'boolean') {
    throw new ValidationError(`paused must be true or false, got ${JSON.stringify(settings.paused)}`);
  }
  if (settings.sizePolicy !== undefined && !['reject', 'drop-oldest'].includes(settings.sizePolicy)) {
    throw new ValidationError(`sizePolicy must be reject or drop-oldest, got ${JSON.stringify(settings.sizePolicy)}`);
  }
  return settings;
}

/** Validates a handler's progress report. */
export function validateProgress(percent: unknown, message?: unknown): JobProgress {
  if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new ValidationError(`progress percent must be a number from 0 to 100, got ${JSON.stringify(percent)}`);
  }
  if (message === undefined) return { percent };
  if (typeof message !== 'string') throw new ValidationError('progress message must be a string');
  return { percent, message };
}

/** An integer option from `min` to `max` (default the largest safe integer); `undefined` is `fallback`. */
export function intOption(value: unknown, p: { field: string; fallback: number; min: number; max?: number }): number {
  if (value === undefined) return p.fallback;
  const max = p.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < p.min || value > max) {
    throw new ValidationError(`${p.field} must be an integer from ${p.min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * A duration option in ms: a finite number, greater than 0 (or at least 0 with `zeroOk`);
 * `undefined` is `fallback`.
 */
export function msOption(value: unknown, p: { field: string; fallback: number; zeroOk?: boolean }): number {
  if (value === undefined) return p.fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!p.zeroOk && value === 0)) {
    throw new ValidationError(
      `${p.field} must be a number of ms ${p.zeroOk ? '>= 0' : '> 0'}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
