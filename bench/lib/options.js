// Command-line options of `npm run bench` / `gantry bench`. Plain parsing: the harness has no
// dependencies of its own beyond what the project already installs.

export const USAGE = `Usage: npm run bench -- [options]

  --engine <postgres|redis|sqlite|nats>  engine to measure, Gantry against its peers (default postgres)
  --jobs <n>                   jobs per drain and batch-enqueue run (default 20000)
  --repeat <n>                 runs of each measurement; the median is printed (default 3)
  --quick                      a short smoke run: 2000 jobs, 1 repeat, 200 latency samples, 20000-job memory drain
  --only <names>               comma-separated systems, e.g. gantry,graphile-worker (default all of the engine)
  --skip <parts>               comma-separated parts to leave out: enqueue,drain,latency,memory
  --latency-samples <n>        enqueue-to-start samples per run (default 1000)
  --latency-budget <s>         most seconds one latency run may take; a polling peer stops early (default 30)
  --memory-jobs <n>            jobs of the memory drain (default 100000, or more to last 15 s at c50)
  --memory-all                 measure the peers' worker memory too (default Gantry only)
  --nats-url <url>             NATS server to use (default $BENCH_NATS_URL or nats://127.0.0.1:4222)
  --pg-url <url>               PostgreSQL server and database to use (default $BENCH_PG_URL or
                               postgres://postgres@127.0.0.1:5432/gantry_bench; created if missing)
  --redis-url <url>            Redis server to use (default $BENCH_REDIS_URL or redis://127.0.0.1:6379/0)
  --json [file]                write machine-readable results to <file>, or to stdout instead of tables
  --no-build                   do not rebuild dist/ when the sources are newer
  -h, --help                   this text
`;

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/gantry_bench';

function intOf(flag, value, min) {
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || n < min)
    throw new Error(`${flag} must be a whole number >= ${min}, got ${value}`);
  return n;
}

function listOf(value) {
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Parses argv (without node and the script) into the harness options; throws with a clear message. */
export function parseOptions(argv) {
  const o = {
    engine: 'postgres',
    jobs: undefined,
    repeat: undefined,
    quick: false,
    only: null,
    skip: [],
    latencySamples: undefined,
    latencyBudgetS: 30,
    memoryJobs: undefined,
    memoryAll: false,
    pgUrl: process.env.BENCH_PG_URL || DEFAULT_PG_URL,
    redisUrl: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/0',
    natsUrl: process.env.BENCH_NATS_URL || 'nats://127.0.0.1:4222',
    json: null,
    build: true,
    help: false,
  };
  const args = [...argv];
  const next = (flag) => {
    const v = args.shift();
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  while (args.length > 0) {
    const raw = args.shift();
    const [flag, inline] = raw.includes('=')
      ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)]
      : [raw];
    const value = () => inline ?? next(flag);
    switch (flag) {
      case '--engine':
        o.engine = value();
        break;
      case '--jobs':
        o.jobs = intOf(flag, value(), 100);
        break;
      case '--repeat':
        o.repeat = intOf(flag, value(), 1);
        break;
      case '--quick':
        o.quick = true;
        break;
      case '--only':
        o.only = listOf(value());
        break;
      case '--skip':
        o.skip = listOf(value());
        break;
      case '--latency-samples':
        o.latencySamples = intOf(flag, value(), 10);
        break;
      case '--latency-budget':
        o.latencyBudgetS = intOf(flag, value(), 1);
        break;
      case '--memory-jobs':
        o.memoryJobs = intOf(flag, value(), 1000);
        break;
      case '--memory-all':
        o.memoryAll = true;
        break;
      case '--nats-url':
        o.natsUrl = value();
        break;
      case '--pg-url':
        o.pgUrl = value();
        break;
      case '--redis-url':
        o.redisUrl = value();
        break;
      case '--json':
        o.json = inline ?? (args[0] !== undefined && !args[0].startsWith('--') ? args.shift() : '-');
        break;
      case '--no-build':
        o.build = false;
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      default:
        throw new Error(`unknown option ${raw}\n\n${USAGE}`);
    }
  }
  if (!['postgres', 'redis', 'sqlite', 'nats'].includes(o.engine))
    throw new Error(`--engine must be postgres, redis, sqlite or nats, got ${o.engine}`);
  for (const s of o.skip) {
    if (!['enqueue', 'drain', 'latency', 'memory'].includes(s))
      throw new Error(`--skip takes enqueue,drain,latency,memory; got ${s}`);
  }
  o.jobs ??= o.quick ? 2000 : 20_000;
  o.repeat ??= o.quick ? 1 : 3;
  o.latencySamples ??= o.quick ? 200 : 1000;
  // Given or not: without the flag, the memory drain grows to last MEMORY_MIN_SECONDS (bench/run.js).
  o.memoryJobsGiven = o.memoryJobs !== undefined;
  o.memoryJobs ??= o.quick ? 20_000 : 100_000;
  if (o.quick) o.latencyBudgetS = Math.min(o.latencyBudgetS, 10);
  return o;
}
