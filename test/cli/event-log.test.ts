/** The dev event log's line for a completion, whether the job's row is kept or deleted. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../src/client/client.js';
import { eventLine } from '../../src/cli/event-log.js';
import { tempDb, type TempDb } from './cli-helpers.js';

describe('gantry dev event log', () => {
  let db: TempDb;
  let client: Client;
  beforeAll(async () => {
    db = tempDb('gantry-event-log-');
    client = await Client.connect({ url: db.url });
  });
  afterAll(async () => {
    await client?.close();
    db?.cleanup();
  });

  it('prints the result of a job deleted on completion from its event', async () => {
    const line = await eventLine(client, {
      type: 'job.completed',
      at: Date.now(),
      jobId: 'gone-1',
      jobType: 'report.build',
      state: 'completed',
      result: { rows: 3 },
    });
    // An id no longer than a short id's tail is printed whole: it is its own short form.
    expect(line).toMatch(/report\.build\s+gone-1\s+completed \(deleted\) → \{"rows":3\}$/);
  });

  it('prints the stored result of a kept job', async () => {
    const job = await client.enqueue('report.build');
    const line = await eventLine(client, { type: 'job.completed', at: Date.now(), jobId: job.id, state: 'completed' });
    expect(line).toMatch(/completed → null$/);
  });
});
