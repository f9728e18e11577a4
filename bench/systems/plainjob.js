// plainjob 0.0.14 (SQLite on better-sqlite3). Its workers run one job at a time, so
// concurrency N is N workers in the process (as its multi-worker example does). Its poll
// interval is lowered from 1000 ms to 10 ms, which only helps it: it has no wake-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { better, defineQueue, defineWorker, JobStatus } from 'plainjob';

const TYPE = 'noop';
/** Poll interval of an idle plainjob worker, ms (its default is 1000). */
const POLL_MS = 10;
const silent = { error() {}, warn() {}, info() {}, debug() {} };

function open(file) {
  return defineQueue({ connection: better(new Database(file)), logger: silent });
}

/** plainjob on a fresh SQLite file per run. */
export const plainjob = {
  name: 'plainjob',
  engine: 'sqlite',
  settings: `N workers per process, pollIntervall ${POLL_MS} ms (default 1000)`,

  async create(ctx) {
    const dir = mkdtempSync(join(ctx.tmpDir ?? tmpdir(), 'plainjob-'));
    const spec = { file: join(dir, 'plainjob.db'), dir };
    open(spec.file).close();
    return spec;
  },

  async destroy(spec) {
    rmSync(spec.dir, { recursive: true, force: true });
  },

  async producer(spec) {
    const queue = open(spec.file);
    return {
      one: async (payload) => queue.add(TYPE, payload),
      many: async (payloads) => queue.addMany(TYPE, payloads),
      pending: async () =>
        queue.countJobs({ type: TYPE, status: JobStatus.Pending }) +
        queue.countJobs({ type: TYPE, status: JobStatus.Processing }),
      close: async () => queue.close(),
    };
  },

  async consumer(spec, { concurrency, onJob }) {
    const queue = open(spec.file);
    let workers = [];
    let loops = [];
    return {
      async start() {
        workers = Array.from({ length: concurrency }, () =>
          defineWorker(TYPE, async (job) => onJob(JSON.parse(job.data)), {
            queue,
            logger: silent,
            pollIntervall: POLL_MS,
          }),
        );
        loops = workers.map((w) => w.start());
      },
      async stop() {
        await Promise.all(workers.map((w) => w.stop()));
        await Promise.all(loops);
        workers = [];
        loops = [];
      },
      close: async () => queue.close(),
    };
  },
};
