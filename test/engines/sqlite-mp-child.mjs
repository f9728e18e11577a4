/**
 * A claiming process of the SQLite multi-process test. Args: <url> <workerId> <batch>.
 * Prints `ready` once open, waits for `go` on stdin, then claims and completes in batches
 * until the queue is empty, and prints one JSON line with every id it claimed.
 */
import { register } from 'node:module';
import { createInterface } from 'node:readline';

register('./sqlite-ts-hooks.mjs', import.meta.url);
const { openSqliteBackend } = await import('../../src/engines/sqlite/index.js');

const [url, workerId, batchText] = process.argv.slice(2);
const batch = Number(batchText);
const backend = await openSqliteBackend({ url, migrate: false });
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await new Promise((resolve) => lines.once('line', resolve));
lines.close();

const claimed = [];
let empty = 0;
// Stop after a few empty rounds: the parent enqueued everything before saying go.
while (empty < 3) {
  const jobs = await backend.jobsClaim({ workerId, queues: ['mp'], limit: batch, leaseMs: 60_000 });
  if (jobs.length === 0) {
    empty++;
    continue;
  }
  empty = 0;
  for (const j of jobs) claimed.push(j.id);
  // Stands in for the handlers' run time; it also leaves the write lock free for the others,
  // as real workers do, instead of one tight loop starving the rest.
  await new Promise((resolve) => setTimeout(resolve, 2));
  const { lost } = await backend.jobsComplete({
    items: jobs.map((j) => ({ id: j.id, workerId, attempt: j.attempts, result: workerId })),
  });
  if (lost.length > 0) throw new Error(`${workerId} lost ${lost.length} completions`);
}
await backend.close();
process.stdout.write(`${JSON.stringify({ workerId, claimed })}\n`);
