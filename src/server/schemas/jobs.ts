/** TypeBox schemas of the job routes. Values are checked further by the core (`validateEnqueue`). */
import { Type, type Static } from '@sinclair/typebox';
import {
  MAX_BACKOFF_LIST,
  MAX_CURSOR_LENGTH,
  MAX_DURATION_MS,
  MAX_LIST_LIMIT,
  MAX_NAME_LENGTH,
  MAX_TAGS,
  MAX_TEXT_FILTER_LENGTH,
  MAX_UNIQUE_KEY_LENGTH,
} from '../../core/constants.js';
import { ListParam, Name, Nullable, Time } from './common.js';

const Duration = Type.Union([Type.Number({ minimum: 0 }), Type.String({ maxLength: 64 })], {
  description: `ms, or text like 500ms, 10s, 5m, 2h, 1d; at most ${MAX_DURATION_MS} ms (100 years)`,
});
const Delay = Type.Union([Type.Number({ minimum: 0 }), Type.String({ maxLength: 64 })]);
const When = Type.Union([Time, Type.Number({ description: 'ms since the epoch' })]);

const Backoff = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal('exponential'),
        baseMs: Type.Optional(Type.Number({ minimum: 0 })),
        maxMs: Type.Optional(Type.Number({ minimum: 0 })),
        jitter: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    Type.Object({ type: Type.Literal('fixed'), delayMs: Type.Number({ minimum: 0 }) }, { additionalProperties: false }),
    Type.Object(
      {
        type: Type.Literal('linear'),
        stepMs: Type.Number({ minimum: 0 }),
        maxMs: Type.Optional(Type.Number({ minimum: 0 })),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      { type: Type.Literal('list'), delaysMs: Type.Array(Delay, { maxItems: MAX_BACKOFF_LIST }) },
      { additionalProperties: false },
    ),
    Type.Number({ minimum: 0, description: 'fixed delay in ms' }),
    Type.String({
      maxLength: 20_000,
      description: 'a fixed delay (500ms, 2s), a list of delays (1s,5s,30s), or exponential',
    }),
    Type.Array(Delay, { maxItems: MAX_BACKOFF_LIST, description: 'list of delays, ms or text' }),
  ],
  { description: 'wait before the next attempt; default exponential with jitter' },
);

/** One job to enqueue: its type, payload and every option of a job (docs/architecture.md, "The job"). */
export const EnqueueBody = Type.Object(
  {
    type: Name('handler name, e.g. email.send'),
    payload: Type.Optional(Type.Unknown({ description: 'any JSON value (default limit 1 MiB)' })),
    id: Type.Optional(Name('your id: enqueue is idempotent on it')),
    queue: Type.Optional(Name('the queue, default "default"')),
    priority: Type.Optional(
      Type.Union([Type.Integer(), Type.String({ maxLength: 16 })], {
        description: 'integer or critical, high, normal, low',
      }),
    ),
    delay: Type.Optional(Duration),
    runAt: Type.Optional(When),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    backoff: Type.Optional(Backoff),
    timeout: Type.Optional(Duration),
    deadline: Type.Optional(When),
    uniqueKey: Type.Optional(Type.String({ description: `1-${MAX_UNIQUE_KEY_LENGTH} characters` })),
    uniqueWindow: Type.Optional(Duration),
    deleteOnComplete: Type.Optional(
      Type.Boolean({
        description:
          'delete the job when its handler returns instead of keeping it as completed; the job.completed event carries the result (not with uniqueWindow)',
      }),
    ),
    tags: Type.Optional(
      Type.Array(Type.String({ description: `1-${MAX_NAME_LENGTH} characters` }), { maxItems: MAX_TAGS }),
    ),
    metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
/** One job to enqueue. */
export type EnqueueBody = Static<typeof EnqueueBody>;

/** Many jobs, stored all or none. */
export const BatchBody = Type.Object(
  { jobs: Type.Array(EnqueueBody, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);
/** Many jobs. */
export type BatchBody = Static<typeof BatchBody>;

/** Filters shared by the list and the bulk actions. */
const filterFields = {
  state: Type.Optional(ListParam),
  queue: Type.Optional(ListParam),
  type: Type.Optional(ListParam),
  tag: Type.Optional(ListParam),
  id: Type.Optional(ListParam),
  text: Type.Optional(
    Type.String({ maxLength: MAX_TEXT_FILTER_LENGTH, description: 'substring of id, type or payload' }),
  ),
};

/** `GET /jobs` query: filters (repeat or comma-separate values), page size and cursor. */
export const ListQuery = Type.Object(
  {
    ...filterFields,
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$', description: `1-${MAX_LIST_LIMIT}` })),
    cursor: Type.Optional(
      Type.String({ maxLength: MAX_CURSOR_LENGTH, description: 'the nextCursor of the page before' }),
    ),
  },
  { additionalProperties: false },
);
/** List query. */
export type ListQuery = Static<typeof ListQuery>;

/** Bulk action query: the same filters as the list (at least one), and `force` for delete. */
export const BulkQuery = Type.Object(
  { ...filterFields, force: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) },
  { additionalProperties: false },
);
/** Bulk query. */
export type BulkQuery = Static<typeof BulkQuery>;

/** `{ action }` of a bulk route. */
export const BulkParams = Type.Object(
  { action: Type.Union([Type.Literal('retry'), Type.Literal('cancel'), Type.Literal('delete')]) },
  { additionalProperties: false },
);

/** What a bulk action did. */
export const BulkResult = Type.Object(
  {
    matched: Type.Integer({ description: 'jobs the filter matched in a state the action applies to' }),
    affected: Type.Integer(),
    skipped: Type.Array(Type.Object({ id: Type.String(), code: Type.String(), message: Type.String() })),
    more: Type.Boolean({ description: 'true when the limit per call was reached: call again' }),
    ineligible: Type.Record(Type.String(), Type.Integer(), {
      description:
        'jobs the filter matched in states the action does not apply to, by state (e.g. live jobs for a delete without force); counted up to the per-call limit',
    }),
  },
  { additionalProperties: false },
);

/** `DELETE /jobs/{id}` query. */
export const DeleteQuery = Type.Object(
  { force: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) },
  { additionalProperties: false },
);

/** A page of jobs. */
export const JobPage = Type.Object(
  { jobs: Type.Array(Type.Ref('Job')), nextCursor: Nullable(Type.String()) },
  { additionalProperties: false },
);
