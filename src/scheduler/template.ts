/**
 * A schedule's job template and the job each fire makes. A fired job's id is derived from the
 * schedule name and the fire time, so every scheduler that fires the same time enqueues the
 * same id, and the engine's idempotent enqueue keeps one job (docs/schedules.md).
 */
import { createHash } from 'node:crypto';
import type { ScheduleRecord } from '../backend/backend.js';
import { ValidationError } from '../core/errors.js';
import type { NewJob } from '../core/job.js';
import {
  validateEnqueue,
  validateQueue,
  validateType,
  type EnqueueOptions,
  type ValidationLimits,
} from '../core/validate.js';

/** The job a schedule enqueues on each fire. */
export type ScheduleTemplate = ScheduleRecord['template'];

/** Options a template may not carry: each fire sets them itself, or they name one moment. */
const FIXED_OPTIONS = ['id', 'runAt', 'deadline', 'type', 'payload', 'queue'];

/** Validates a schedule name (the rule is the core's, with every other name's). */
export { validateScheduleName } from '../core/validate.js';

/**
 * Validates a template with the core's enqueue validation (type, queue, payload size and every
 * option), so a schedule that stores is a schedule whose jobs enqueue.
 */
export function validateTemplate(template: unknown, now: number, limits: ValidationLimits = {}): ScheduleTemplate {
  if (template === null || typeof template !== 'object') {
    throw new ValidationError(
      'a schedule template must be an object with at least a type, like {type: "report.build"}',
    );
  }
  const t = template as ScheduleTemplate;
  const options = t.options ?? {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValidationError(
      'template options must be an object of enqueue options (priority, maxAttempts, timeout, …)',
    );
  }
  for (const key of FIXED_OPTIONS) {
    if (key in options)
      throw new ValidationError(
        `template options cannot set ${key}: each fire sets it (put type, queue and payload in the template itself)`,
      );
  }
  if ((options as EnqueueOptions).deleteOnComplete === true) {
    throw new ValidationError(
      'template options cannot set deleteOnComplete: a fired job keeps its row so that a second scheduler never enqueues the same fire time again (drop the option; retention removes old runs)',
    );
  }
  validateType(t.type);
  if (t.queue !== undefined) validateQueue(t.queue);
  validateEnqueue({ ...(options as EnqueueOptions), type: t.type, queue: t.queue, payload: t.payload }, now, limits);
  const out: ScheduleTemplate = { type: t.type };
  if (t.queue !== undefined) out.queue = t.queue;
  if (t.payload !== undefined) out.payload = t.payload;
  if (Object.keys(options).length > 0) out.options = options;
  return out;
}

/**
 * The id of the job that schedule `name` fires at `fireMs`: a UUIDv7 whose time is the fire
 * time and whose other bits come from a hash of name and time. Deterministic (the same on
 * every process) and k-sortable like every other job id.
 */
export function scheduledJobId(name: string, fireMs: number): string {
  const b = createHash('sha256').update(`gantry.schedule\0${name}\0${fireMs}`).digest().subarray(0, 16);
  b[0] = Math.floor(fireMs / 2 ** 40) & 0xff;
  b[1] = Math.floor(fireMs / 2 ** 32) & 0xff;
  b[2] = (fireMs >>> 24) & 0xff;
  b[3] = (fireMs >>> 16) & 0xff;
  b[4] = (fireMs >>> 8) & 0xff;
  b[5] = fireMs & 0xff;
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The unique key of the job that schedule `name` fires at `fireMs`. */
export function scheduledJobKey(name: string, fireMs: number): string {
  return `schedule:${name}:${fireMs}`;
}

/**
 * The job schedule `rec` enqueues for the fire at `fireAt` (or, for a manual trigger, with
 * `id` given). A template `uniqueKey` replaces the per-fire key: the user's way to keep runs
 * from overlapping.
 */
export function scheduledJob(
  rec: Pick<ScheduleRecord, 'name' | 'template'>,
  fireAt: Date,
  now: number,
  id?: string,
): NewJob {
  const { type, queue, payload } = rec.template;
  const options = (rec.template.options ?? {}) as EnqueueOptions;
  const fireMs = fireAt.getTime();
  return validateEnqueue(
    {
      ...options,
      type,
      ...(queue === undefined ? {} : { queue }),
      payload,
      id: id ?? scheduledJobId(rec.name, fireMs),
      uniqueKey: options.uniqueKey ?? (id === undefined ? scheduledJobKey(rec.name, fireMs) : undefined),
      metadata: { ...options.metadata, schedule: rec.name, fireAt: fireAt.toISOString() },
    },
    now,
  );
}
