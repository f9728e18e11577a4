/**
 * The validation module: every input Gantry takes from a producer, an operator, a handler or an
 * option is checked here, so every entry point (the Client, the Worker, maintenance, the
 * scheduler, the CLI and the HTTP server) refuses the same inputs with the same messages. The
 * enqueue request lives in `validate-enqueue.ts`, what every engine can store (text, JSON,
 * times, durations) in `validate-values.ts`; both are re-exported here.
 */
import {
  DEFAULT_LIST_LIMIT,
  DEFAULT_MAX_PAYLOAD_BYTES,
  MAX_CURSOR_LENGTH,
  MAX_DURATION_MS,
  MAX_LIST_LIMIT,
  MAX_NAME_LENGTH,
  MAX_QUEUE_CAP,
  MAX_QUEUE_WEIGHT,
  MAX_RESULT_BYTES,
  MAX_TEXT_FILTER_LENGTH,
} from './constants.js';
import { ValidationError } from './errors.js';
import { JOB_STATES, type JobProgress, type JobState } from './job.js';
import type { QueueSettingsRecord } from './queue-rules.js';
import { checkJson, checkText, validateText, validateTime } from './validate-values.js';

export {
  validateEnqueue,
  type EnqueueOptions,
  type EnqueueRequest,
  type ValidationLimits,
} from './validate-enqueue.js';
export {
  checkJson,
  checkText,
  textFlaw,
  validateStoredDuration,
  validateText,
  validateTime,
} from './validate-values.js';

/** A kind of name: the characters it may hold and an example. */
interface NameRule {
  re: RegExp;
  chars: string;
  example: string;
}

const NAME_RULES = {
  type: { re: /^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/, chars: 'letters, digits and _ . : / -', example: 'email.send' },
  queue: { re: /^[A-Za-z0-9][A-Za-z0-9_-]*$/, chars: 'letters, digits, _ and -', example: 'emails' },
  id: { re: /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, chars: 'letters, digits and _ . : -', example: 'order-1234' },
  schedule: { re: /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, chars: 'letters, digits and _ . : -', example: 'nightly-report' },
} satisfies Record<string, NameRule>;

/** A value as the start of a message shows it: JSON, cut short when long. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80
    ? `${text.slice(0, 60)}… (${typeof value === 'string' ? value.length : text.length} characters)`
    : text;
}

/** A name (`MAX_NAME_LENGTH` at most, one of `NAME_RULES`), or a `ValidationError` naming `field`. */
function validateName(value: unknown, field: string, rule: NameRule): string {
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH || !rule.re.test(value)) {
    throw new ValidationError(
      `${field} must be 1-${MAX_NAME_LENGTH} characters of ${rule.chars} (like "${rule.example}"), got ${shown(value)}`,
    );
  }
  return value;
}

/** Validates a job type name (`email.send`). */
export function validateType(type: unknown): string {
  return validateName(type, 'type', NAME_RULES.type);
}

/** Validates a queue name (`default`, `emails-high`). */
export function validateQueue(queue: unknown): string {
  return validateName(queue, 'queue', NAME_RULES.queue);
}

/** Validates a job id given by a producer or an operator (an idempotency key); `field` names it. */
export function validateJobId(id: unknown, field = 'id'): string {
  return validateName(id, field, NAME_RULES.id);
}

/** Validates a schedule name (`nightly-report`, `billing.sync`). */
export function validateScheduleName(name: unknown): string {
  return validateName(name, 'schedule name', NAME_RULES.schedule);
}

/** Validates a tag: a string of 1 to `MAX_NAME_LENGTH` characters that every engine stores. */
export function validateTag(tag: unknown, field = 'tag'): string {
  return validateText(tag, { field, max: MAX_NAME_LENGTH });
}

/** Validates the text filter of a job list (a substring; empty means none). */
export function validateTextFilter(text: unknown): string {
  return validateText(text, { field: 'text', min: 0, max: MAX_TEXT_FILTER_LENGTH });
}

/** Validates a list cursor (the `nextCursor` of the page before). */
export function validateCursor(cursor: unknown): string {
  return validateText(cursor, { field: 'cursor', max: MAX_CURSOR_LENGTH });
}

/** Parses a time given as a Date, an ISO string or ms since the epoch (see `validateTime`). */
export function parseTime(input: unknown, field: string): Date {
  return validateTime(input, field);
}

/** Serialises a payload as JSON and checks it (`checkJson`: size, depth, storable strings). */
export function checkPayload(payload: unknown, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES, field = 'payload'): string {
  return checkJson(payload, { field, maxBytes });
}

/** Serialises a handler's result as JSON and checks it against `MAX_RESULT_BYTES`, on every path. */
export function checkResult(result: unknown): string {
  return checkJson(result, { field: 'result', maxBytes: MAX_RESULT_BYTES });
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

/** Validates a change of a queue's settings (a cap is an integer from 1 to `MAX_QUEUE_CAP`, or null for none). */
export function validateQueueSettings(settings: Partial<QueueSettingsRecord>): Partial<QueueSettingsRecord> {
  for (const field of ['concurrency', 'sizeCap'] as const) {
    const v = settings[field];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || v < 1 || v > MAX_QUEUE_CAP)) {
      throw new ValidationError(
        `${field} must be an integer from 1 to ${MAX_QUEUE_CAP}, or null for no cap; got ${JSON.stringify(v)}`,
      );
    }
  }
  if (settings.paused !== undefined && typeof settings.paused !== 'boolean') {
    throw new ValidationError(`paused must be true or false, got ${JSON.stringify(settings.paused)}`);
  }
  if (settings.sizePolicy !== undefined && !['reject', 'drop-oldest'].includes(settings.sizePolicy)) {
    throw new ValidationError(`sizePolicy must be reject or drop-oldest, got ${JSON.stringify(settings.sizePolicy)}`);
  }
  validateQueueDefaults(settings);
  return settings;
}

/** The defaults of a queue's settings: each an integer in its range, or null for none. */
function validateQueueDefaults(settings: Partial<QueueSettingsRecord>): void {
  const ranges = [
    ['timeoutMs', 1, MAX_DURATION_MS, 'a number of ms'],
    ['maxAttempts', 1, 1000, 'attempts (1: no retry)'],
    ['weight', 1, MAX_QUEUE_WEIGHT, 'a weight'],
  ] as const;
  for (const [field, min, max, what] of ranges) {
    const v = settings[field];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || v < min || v > max)) {
      throw new ValidationError(
        `${field} must be ${what}, an integer from ${min} to ${max}, or null for none; got ${JSON.stringify(v)}`,
      );
    }
  }
}

/** Validates a handler's progress report. */
export function validateProgress(percent: unknown, message?: unknown): JobProgress {
  if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new ValidationError(`progress percent must be a number from 0 to 100, got ${JSON.stringify(percent)}`);
  }
  if (message === undefined) return { percent };
  if (typeof message !== 'string') throw new ValidationError('progress message must be a string');
  return { percent, message: checkText(message, 'progress message') };
}

/**
 * Validates an error a worker reports over HTTP (`{ message, stack?, code? }`): every string in
 * it must be storable, like every other string Gantry stores.
 */
export function validateReportedError<E extends { message: string; stack?: string; code?: string }>(error: E): E {
  checkText(error.message, 'error.message');
  if (error.stack !== undefined) checkText(error.stack, 'error.stack');
  if (error.code !== undefined) checkText(error.code, 'error.code');
  return error;
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
 * A duration option in ms: a finite number, greater than 0 (or at least 0 with `zeroOk`), at
 * most `MAX_DURATION_MS` so that every time made from it is representable; `undefined` is
 * `fallback`.
 */
export function msOption(value: unknown, p: { field: string; fallback: number; zeroOk?: boolean }): number {
  if (value === undefined) return p.fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    value > MAX_DURATION_MS ||
    (!p.zeroOk && value === 0)
  ) {
    throw new ValidationError(
      `${p.field} must be a number of ms ${p.zeroOk ? 'from 0' : 'over 0, up'} to ${MAX_DURATION_MS} (100 years), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
