/** `gantry queues …`: counts by state per queue, pause, resume and remove. */
import type { Command } from 'commander';
import type { QueueInfo } from '../../backend/backend.js';
import { JOB_STATES } from '../../core/job.js';
import { withClient } from '../context.js';
import { printJson, printTable, println } from '../output.js';

/** A queue as JSON: its settings and its counts by state. */
export function queueToJson(q: QueueInfo): QueueInfo {
  return {
    name: q.name,
    paused: q.paused,
    concurrency: q.concurrency,
    sizeCap: q.sizeCap,
    sizePolicy: q.sizePolicy,
    counts: q.counts,
  };
}

function queueRow(q: QueueInfo): (string | number | null)[] {
  return [q.name, q.paused ? 'paused' : 'active', ...JOB_STATES.map((s) => q.counts[s] ?? 0), q.concurrency];
}

/** Says on stderr that `name` was not a queue before this command made it (a typo, most likely). */
function warnNewQueue(name: string, action: 'pause' | 'resume'): void {
  process.stderr.write(
    `warning: queue ${JSON.stringify(name)} had no jobs and no settings: it now exists ${action === 'pause' ? 'paused' : 'unpaused'}; ` +
      `if the name is a typo, remove it with \`gantry queues rm ${name}\`\n`,
  );
}

/** Registers `queues ls|pause|resume|rm`. */
export function register(program: Command): void {
  const queues = program.command('queues').description('inspect and operate queues');
  queues
    .command('ls')
    .alias('list')
    .description('every queue with its job counts by state')
    .action(async (_f: unknown, cmd: Command) => {
      await withClient(cmd, async (client, g) => {
        const list = await client.queues();
        if (g.json) return printJson(list.map(queueToJson));
        const headers = ['QUEUE', 'STATUS', ...JOB_STATES.map((s) => s.toUpperCase()), 'CAP'];
        printTable(headers, list.map(queueRow), '(no queues)');
      });
    });
  for (const action of ['pause', 'resume'] as const) {
    queues
      .command(`${action} <queue>`)
      .description(
        action === 'pause'
          ? 'stop workers from claiming this queue, cluster-wide'
          : 'let workers claim this queue again',
      )
      .action(async (name: string, _f: unknown, cmd: Command) => {
        await withClient(cmd, async (client, g) => {
          const known = (await client.queues()).some((q) => q.name === name);
          const q = await client[action](name);
          if (!known) warnNewQueue(name, action);
          if (g.json) printJson(queueToJson(q));
          else println(`${q.name} ${q.paused ? 'paused' : 'resumed'}`);
        });
      });
  }
  queues
    .command('rm <queue>')
    .alias('remove')
    .description('remove a queue that has no jobs (its pause and caps)')
    .action(async (name: string, _f: unknown, cmd: Command) => {
      await withClient(cmd, async (client, g) => {
        await client.removeQueue(name);
        if (g.json) printJson({ name, removed: true });
        else println(`${name} removed`);
      });
    });
}
