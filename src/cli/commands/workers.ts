/** `gantry workers ls`: the worker registry (docs/architecture.md, "Workers"). */
import type { Command } from 'commander';
import type { WorkerInfo } from '../../backend/backend.js';
import { withClient } from '../context.js';
import { formatTime, printJson, printTable } from '../output.js';

/** A worker as JSON, times as ISO 8601 text. */
export function workerToJson(w: WorkerInfo): Record<string, unknown> {
  return { ...w, startedAt: w.startedAt.toISOString(), lastSeenAt: w.lastSeenAt.toISOString() };
}

function workerRow(w: WorkerInfo): (string | number)[] {
  const queues = w.queues.map((q) => (q.weight === 1 ? q.name : `${q.name}:${q.weight}`)).join(',');
  return [
    w.id,
    w.host,
    w.pid,
    queues,
    `${w.running.length}/${w.concurrency}`,
    formatTime(w.startedAt),
    formatTime(w.lastSeenAt),
  ];
}

/** Registers `workers ls`. */
export function register(program: Command): void {
  const workers = program.command('workers').description('inspect the worker registry');
  workers
    .command('ls', { isDefault: true })
    .alias('list')
    .description('registered workers: host, pid, queues, running jobs, last heartbeat')
    .action(async (_f: unknown, cmd: Command) => {
      await withClient(cmd, async (client, g) => {
        const list = await client.workers();
        if (g.json) return printJson(list.map(workerToJson));
        printTable(
          ['ID', 'HOST', 'PID', 'QUEUES', 'RUNNING', 'STARTED', 'LAST SEEN'],
          list.map(workerRow),
          '(no workers)',
        );
      });
    });
}
