/**
 * Shared TypeBox schemas. Each is written once: Fastify validates requests with it and
 * `@fastify/swagger` publishes it in `/openapi.json` (OpenAPI 3.1, so `null` is a type).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { JOB_STATES } from '../../core/job.js';
import { JOB_FIELDS, JOB_FIELD_NAMES, type JobField, type JobFieldSpec } from '../../core/job-record.js';
import { EVENT_TYPES } from '../../core/events.js';
import { MAX_NAME_LENGTH } from '../../core/constants.js';

/** `T` or `null`. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** ISO 8601 time text. */
export const Time = Type.String({ description: 'ISO 8601 time', examples: ['2030-01-01T00:00:00.000Z'] });

/** The error answer every non-2xx status carries. */
export const ErrorSchema = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'stable code, e.g. VALIDATION, NOT_FOUND, UNIQUE_CONFLICT' }),
        message: Type.String({ description: 'what went wrong and what to do' }),
        details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'Error', additionalProperties: false },
);

/** Error statuses and what each means, for `response` maps. */
export const errorResponses = (...statuses: number[]): Record<number, TSchema> => {
  const out: Record<number, TSchema> = {};
  for (const s of statuses) out[s] = Type.Ref('Error', { description: ERROR_DESCRIPTIONS[s] ?? 'error' });
  return out;
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'bad input',
  401: 'no token or an unknown token',
  403: 'the token role may not do this',
  404: 'no such job, queue or schedule',
  409: 'conflict: unique key held, transition not allowed, lease lost, or queue not empty',
  413: 'payload or body too large',
  429: 'queue full (see Retry-After)',
  503: 'engine unreachable (see Retry-After)',
};

/** The usual error statuses of any authenticated route. */
export const AUTH_ERRORS = [401, 403, 503];

/** A job state. */
export const JobStateSchema = Type.Union(
  JOB_STATES.map((s) => Type.Literal(s)),
  { description: 'job state' },
);

/** An event type. */
export const EventTypeSchema = Type.Union(EVENT_TYPES.map((s) => Type.Literal(s)));

/** Progress a handler reports. */
export const ProgressSchema = Type.Object(
  {
    percent: Type.Number({ minimum: 0, maximum: 100 }),
    message: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

/** One failed attempt, as JSON. */
export const JobErrorSchema = Type.Object(
  {
    message: Type.String(),
    stack: Type.Optional(Type.String()),
    attempt: Type.Integer(),
    workerId: Type.Optional(Type.String()),
    at: Time,
    code: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** An operator retry, as JSON. */
export const JobRetrySchema = Type.Object(
  { at: Time, from: JobStateSchema, attempts: Type.Integer({ description: 'attempts spent before the retry' }) },
  { additionalProperties: false },
);

/** The schema of one entry of each `entries` field. */
const ENTRY_SCHEMAS: Record<string, TSchema> = { errors: JobErrorSchema, retries: JobRetrySchema };

/** The schemas of JSON documents whose shape the API states (every other `json` field is any JSON). */
const DOCUMENT_SCHEMAS: Partial<Record<JobField, TSchema>> = {
  progress: ProgressSchema,
  backoff: Type.Object({ type: Type.String() }, { additionalProperties: true }),
  metadata: Type.Record(Type.String(), Type.Unknown()),
};

/** The JSON schema of one field of the job record, from its kind. */
function fieldSchema(name: JobField): TSchema {
  const spec: JobFieldSpec = JOB_FIELDS[name];
  const schema = ((): TSchema => {
    switch (spec.kind) {
      case 'text':
        return Type.String();
      case 'state':
        return JobStateSchema;
      case 'int':
        return Type.Integer();
      case 'bool':
        return Type.Boolean();
      case 'time':
        return Time;
      case 'tags':
        return Type.Array(Type.String());
      case 'entries':
        return Type.Array(ENTRY_SCHEMAS[name] ?? Type.Object({ at: Time }, { additionalProperties: true }));
      case 'json':
        return DOCUMENT_SCHEMAS[name] ?? Type.Unknown();
    }
  })();
  // Any JSON (`Unknown`) admits null already.
  const anyJson = spec.kind === 'json' && DOCUMENT_SCHEMAS[name] === undefined;
  if (!spec.nullable || anyJson) return { ...schema, description: spec.doc };
  return Type.Union([schema, Type.Null()], { description: spec.doc });
}

/** A job as JSON: every field of the job record (`src/core/job-record.ts`), times as ISO text. */
export const JobSchema = Type.Object(Object.fromEntries(JOB_FIELD_NAMES.map((f) => [f, fieldSchema(f)])), {
  $id: 'Job',
  additionalProperties: false,
});

/**
 * A name (job id, type, queue, schedule). Its length and characters are checked by the core
 * (`validate.ts`), not here, so every entry point refuses a bad name with the same message.
 */
export const Name = (description: string) =>
  Type.String({ description: `${description}; 1-${MAX_NAME_LENGTH} characters` });

/** `{ id }` path parameters. */
export const IdParams = Type.Object({ id: Name('the job id') }, { additionalProperties: false });

/** `{ id }` path parameters. */
export type IdParams = Static<typeof IdParams>;

/** `{ name }` path parameters. */
export const NameParams = Type.Object({ name: Name('the name') }, { additionalProperties: false });

/** A query value given once, repeated, or comma-separated. */
export const listParam = (description?: string) =>
  Type.Union(
    [Type.String({ maxLength: 2000 }), Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 100 })],
    description ? { description } : {},
  );

/** A query value given once, repeated, or comma-separated. */
export const ListParam = listParam();

/** Splits a `ListParam` into its values. */
export function listValues(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const out = (Array.isArray(v) ? v : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return out.length ? out : undefined;
}

/** Shared schemas registered with `addSchema` so routes can `$ref` them. */
export const SHARED_SCHEMAS = [ErrorSchema, JobSchema];
