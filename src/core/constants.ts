/**
 * Every default Gantry uses, in one place. Each is validated once where options are read
 * (see `validate.ts`) and documented here, where it is defined.
 */

/** The engine used when no `--url` / `GANTRY_URL` is given: one SQLite file in the working directory. */
export const DEFAULT_URL = 'sqlite:./gantry.db';

/** The queue a job goes to when none is named. */
export const DEFAULT_QUEUE = 'default';

/** Attempts a job gets before it is `failed` (like BullMQ/graphile-worker; 1 = no retry). */
export const DEFAULT_MAX_ATTEMPTS = 25;

/** Largest accepted payload, in bytes of its JSON text (1 MiB). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** How long a claim holds before maintenance may take the job back, in ms. */
export const DEFAULT_LEASE_MS = 30_000;

/** The shortest lease a worker may take, in ms: shorter ones expire before a renewal returns. */
export const MIN_LEASE_MS = 30;

/** A running worker renews its leases every `leaseMs / LEASE_RENEW_DIVISOR`. */
export const LEASE_RENEW_DIVISOR = 3;

/** Weight of a queue for a worker that names none and a queue that sets none. */
export const DEFAULT_QUEUE_WEIGHT = 1;

/** Largest weight of a queue (for a worker, or a queue's setting). */
export const MAX_QUEUE_WEIGHT = 1000;

/** Jobs a worker runs at once. */
export const DEFAULT_CONCURRENCY = 10;

/**
 * Most jobs a worker buffers beyond its free slots (it grows its buffer to this only while
 * jobs finish faster than claims return); the default is the larger of this and the
 * concurrency. 0 turns prefetching off.
 */
export const DEFAULT_PREFETCH = 500;

/**
 * The same for engines whose claims run in-process (`localClaims`: SQLite). A claim there costs
 * no round trip, so the buffer only makes claims bigger; 100 keeps a claim's fixed cost per job
 * small without holding 500 jobs, for less memory at the same rate (docs/benchmarks.md, "Measurements behind the design").
 */
export const DEFAULT_LOCAL_PREFETCH = 100;

/**
 * A claim round that begins with a free slot and nothing buffered counts as starved (and grows
 * the buffer) only when it begins within this long of the last round's end, or within four
 * times that round's duration if longer, in ms of the worker's clock. Slots that free this fast
 * outrun claiming; slower jobs gain nothing from a buffer and would only hold jobs that another
 * worker could start.
 */
export const PREFETCH_TURNOVER_MS = 5;

/** How long a stopping worker lets running jobs finish before aborting and handing them back, in ms. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** Heartbeat interval of a worker registration, in ms. */
export const DEFAULT_HEARTBEAT_MS = 5_000;

/** A worker whose last heartbeat is older than this is forgotten, in ms (3 missed heartbeats). */
export const DEFAULT_WORKER_TTL_MS = 15_000;

/**
 * Heartbeats a worker sends within the worker TTL it is run with (`--worker-ttl`): a shorter TTL
 * makes its heartbeat more frequent (never less frequent than `DEFAULT_HEARTBEAT_MS`), so a live
 * worker that misses one or two is not forgotten.
 */
export const HEARTBEATS_PER_WORKER_TTL = 3;

/** Fallback poll interval when no wake-up arrives, in ms. */
export const DEFAULT_POLL_MS = 1_000;

/**
 * While the engine is unreachable a worker's claims back off, doubling from the poll interval
 * up to this, in ms; a worker retries this often at worst, so it resumes within this long of
 * the engine's return.
 */
export const ENGINE_RETRY_MAX_MS = 5_000;

/** Interval of the maintenance loop (lease reaper, deadlines, retention), in ms. */
export const DEFAULT_MAINTENANCE_MS = 1_000;

/** Lease that keeps maintenance single across processes, in ms. */
export const DEFAULT_MAINTENANCE_LEASE_MS = 10_000;

/** Completed jobs older than this are deleted by retention, in ms (7 days). */
export const DEFAULT_RETAIN_COMPLETED_MS = 7 * 24 * 3600_000;

/** Failed, cancelled and expired jobs older than this are deleted by retention, in ms (30 days). */
export const DEFAULT_RETAIN_FAILED_MS = 30 * 24 * 3600_000;

/** Most finished jobs kept per queue and final state; older ones beyond it are deleted. */
export const DEFAULT_RETAIN_MAX_COUNT = 100_000;

/** Events older than this are pruned from engines that store them, in ms (1 hour). */
export const DEFAULT_EVENT_RETENTION_MS = 3600_000;

/** Default page size of `list`. */
export const DEFAULT_LIST_LIMIT = 50;

/** Largest page size of `list`. */
export const MAX_LIST_LIMIT = 1000;

/**
 * Times `Client.list` asks the engine again to fill a page that came back short (an engine
 * scans a bounded number of jobs for a text search, then answers with what it found).
 */
export const LIST_FILL_ROUNDS = 5;

/** Most jobs claimed in one round trip. */
export const MAX_CLAIM_BATCH = 1000;

/**
 * A worker writes its outcomes at the end of the tick, or as soon as this many are waiting.
 * Without the bound, an engine that answers synchronously (SQLite) let a thousand finished jobs
 * wait a whole claim cycle for their write: they outlived the young generation and V8's heap
 * grew; 100 per write already makes the cost per write negligible (docs/benchmarks.md, "Measurements behind the design").
 */
export const OUTCOME_FLUSH_AT = 100;

/** Exponential backoff: base delay before attempt 2, in ms. */
export const DEFAULT_BACKOFF_BASE_MS = 1_000;

/** Exponential backoff: the longest wait between attempts, in ms (1 hour). */
export const DEFAULT_BACKOFF_MAX_MS = 3600_000;

/** Named priorities; any integer is accepted too. Higher runs first. */
export const PRIORITY_ALIASES = { critical: 20, high: 10, normal: 0, low: -10 } as const;

/**
 * Longest name, in characters: a job id, a job type, a queue name, a schedule name, a tag, a
 * worker name. One limit, the same at enqueue and in every HTTP route.
 */
export const MAX_NAME_LENGTH = 128;

/** Most tags on one job. */
export const MAX_TAGS = 100;

/** Longest unique key, in characters. */
export const MAX_UNIQUE_KEY_LENGTH = 512;

/** Largest handler result, in bytes of its JSON text (1 MiB), on every path (a TypeScript worker, HTTP `complete`). */
export const MAX_RESULT_BYTES = 1024 * 1024;

/**
 * Largest result a `job.completed` event carries, in bytes of its JSON text (4 KiB): enough for
 * an id, a status or a summary, so a producer listening to events needs no second read, while
 * events stay small for every engine's pub/sub. A larger result is left out of the event, which
 * says so (`resultTruncated`); the job record keeps it whole.
 */
export const MAX_EVENT_RESULT_BYTES = 4096;

/**
 * Deepest nesting of a stored JSON document (payload, result, metadata, a schedule's template),
 * well inside every engine's own: SQLite's JSON functions (which read a batch of results) stop at
 * 1000 levels, V8's serialiser and PostgreSQL's parser run out of stack a few thousand down.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * The earliest and latest time Gantry accepts (0001-01-01 and 9999-12-31, UTC): four-digit
 * years, so ISO 8601 text needs no sign, and every time Gantry derives from one (plus at most
 * `MAX_DURATION_MS`) stays inside what JavaScript's `Date` and PostgreSQL's `timestamptz` hold.
 */
export const MIN_TIME_MS = -62_135_596_800_000;

/** See `MIN_TIME_MS`. */
export const MAX_TIME_MS = 253_402_300_799_999;

/**
 * The longest duration, in ms (100 years of 365 days): a delay, a backoff delay, a timeout, a
 * unique window, a lease, a retention age. Every time Gantry makes by adding one to a time
 * stays representable.
 */
export const MAX_DURATION_MS = 100 * 365 * 86_400_000;

/** The largest queue cap (concurrency, size): the range of a 32-bit column. */
export const MAX_QUEUE_CAP = 2_147_483_647;

/** Longest text filter of a job list, in characters. */
export const MAX_TEXT_FILTER_LENGTH = 200;

/** Longest list cursor, in characters. */
export const MAX_CURSOR_LENGTH = 500;

/** Most delays in a backoff list. */
export const MAX_BACKOFF_LIST = 1000;

/** Most jobs one bulk action (retry, cancel, delete by filter) touches per call. */
export const MAX_BULK_JOBS = 10_000;

/** How often maintenance applies retention (it is heavier than the other chores), in ms. */
export const DEFAULT_PRUNE_INTERVAL_MS = 60_000;

/** Jobs maintenance moves per backend call (promote, expire, lease recovery). */
export const DEFAULT_MAINTENANCE_BATCH = 1000;

/** The scheduler checks for due schedules at least this often, in ms (it also wakes at the next fire time). */
export const DEFAULT_SCHEDULER_INTERVAL_MS = 1_000;

/** Lease that keeps one scheduler leader across processes, in ms; a new leader takes over after it lapses. */
export const DEFAULT_SCHEDULER_LEASE_MS = 10_000;

/**
 * A due fire time older than this is a misfire (the scheduler was down) and follows the
 * schedule's misfire policy; younger ones are simply late and each fires, in ms.
 */
export const DEFAULT_SCHEDULE_MISFIRE_GRACE_MS = 5_000;

/** Most missed fire times a schedule with misfire policy `all` catches up at once (the latest ones). */
export const DEFAULT_SCHEDULE_MAX_CATCH_UP = 10;

/**
 * Characters of a job id's tail that the dashboard and `gantry dev` print as its short form
 * (`…1a2b3c4d`), and the fewest a short id given in place of an id must have. UUIDv7 ids end
 * in random bits, so 8 hex characters (32 bits) tell apart the jobs a store keeps.
 */
export const SHORT_ID_LENGTH = 8;

/** Most jobs an engine reads for one short id (`JobFilter.idSuffix`) before filtering the rest (a tail matches very few). */
export const MAX_SUFFIX_MATCHES = 1000;

/** Most jobs a short id may match before `Client.resolveId` calls it ambiguous and lists them. */
export const MAX_SHORT_ID_MATCHES = 20;

/** The width of one `jobsCountFinished` bucket (throughput per minute), in ms. */
export const FINISHED_BUCKET_MS = 60_000;

/** Redis: the key prefix (and hash tag) of a namespace when the URL gives no `?prefix=`. */
export const REDIS_DEFAULT_PREFIX = 'gantry';

/**
 * Redis: the most one command may wait for an answer, ms. While Redis is unreachable a call
 * fails at once (no offline queue); this bounds a connection that hangs without closing.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 900;

/** Redis: the most opening a connection may take, ms. */
export const REDIS_CONNECT_TIMEOUT_MS = 900;

/** Redis: the first reconnect delay after a lost connection, ms (doubling from there). */
export const REDIS_RECONNECT_MIN_MS = 50;

/** Redis: the longest reconnect delay, ms. */
export const REDIS_RECONNECT_MAX_MS = 2_000;

/** Redis: entries kept in the event stream (each entry holds one operation's events). */
export const REDIS_EVENTS_MAXLEN = 100_000;

/** Redis: how long one blocking read of the event stream waits before it is issued again, ms. */
export const REDIS_EVENTS_BLOCK_MS = 5_000;

/**
 * Redis: how long a claim waiting on its queues' wake streams blocks before it is sent again,
 * ms; also the furthest a wake-up's time may move that claim's now past when it was sent
 * (docs/redis.md, "Claims on wake-up").
 */
export const REDIS_CLAIM_BLOCK_MS = 5_000;

/** Redis: how long a poke (which ends a waiting claim early) is kept should nobody read it, ms. */
export const REDIS_POKE_TTL_MS = 60_000;

/**
 * Redis: the most the event stream's next read waits for this process's claims to be answered,
 * ms (docs/redis.md, "Events and wake-ups"); with claims always out it reads at this pace.
 */
export const REDIS_READ_HOLD_MAX_MS = 20;

/** Redis: ready jobs a claim looks at and skips per queue (other types, a passed deadline). */
export const REDIS_CLAIM_SCAN_BUDGET = 1_000;

/** Redis: due delayed jobs one claim promotes per queue. */
export const REDIS_CLAIM_PROMOTE_MAX = 1_000;

/** Redis: jobs one list page looks at before it answers with a short page and a cursor. */
export const REDIS_LIST_SCAN_BUDGET = 5_000;

/**
 * NATS engine: how long (by the engine's clock) a pointer or delay entry may wait for the job
 * record its change announces before it is dropped as left by a crash (docs/nats.md).
 */
export const NATS_POINTER_GRACE_MS = 60_000;

/**
 * NATS engine: how often (by the engine's clock) lease recovery also reads every record for a
 * running job past its lease that no `active` entry led it to, a safety net for an entry lost
 * while its jobs still ran (docs/nats.md, "The lease").
 */
export const NATS_ORPHAN_SCAN_MS = 60_000;
