/**
 * Waiting for a write lock another process holds (`Store.locked`): the wait leaves the event
 * loop running, the operation goes through once the lock is released, and a lock held past
 * the busy timeout fails with `EngineUnavailableError`. The other process is stood in for by a
 * second connection that opens a write transaction and keeps it open.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { ManualClock } from '../../src/core/clock.js';
import { EngineUnavailableError } from '../../src/core/errors.js';
import { validateEnqueue } from '../../src/core/validate.js';
import { SQLITE_BUSY_TIMEOUT_MS } from '../../src/engines/sqlite/connection.js';
import { openSqliteBackend } from '../../src/engines/sqlite/index.js';

const dir = mkdtempSync(join(tmpdir(), 'gantry-sqlite-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const job = (id: string) => validateEnqueue({ type: 'lock.test', id }, clock.now());
/** One turn of the event loop (I/O, timers already due, then this). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A backend on a new file, and a second connection to it that holds the write lock. */
async function lockedFile(name: string): Promise<{ backend: Backend; holder: Database.Database }> {
  const path = join(dir, name);
  const backend = await openSqliteBackend({ url: `sqlite:${path}`, clock });
  const holder = new Database(path);
  holder.exec('BEGIN IMMEDIATE');
  return { backend, holder };
}

describe('sqlite: waiting for another process’s write lock', () => {
  it('keeps the event loop running while it waits, then writes once the lock is released', async () => {
    const { backend, holder } = await lockedFile('wait.db');
    let settled = false;
    const enqueued = backend.jobsEnqueue({ jobs: [job('waits-1')] }).finally(() => (settled = true));
    // SQLite's own busy handler would have slept inside the call above; here the loop turns.
    for (let i = 0; i < 20; i++) await turn();
    expect(settled).toBe(false);
    // Reads do not wait for writers (WAL).
    expect(await backend.jobGet({ id: 'waits-1' })).toBeNull();
    holder.exec('COMMIT');
    const [outcome] = await enqueued;
    expect(outcome!.created).toBe(true);
    expect((await backend.jobGet({ id: 'waits-1' }))!.state).toBe('queued');
    holder.close();
    await backend.close();
  });

  it(
    'fails with EngineUnavailableError when the lock is held past the busy timeout',
    async () => {
      const { backend, holder } = await lockedFile('timeout.db');
      const started = performance.now();
      const err = await backend.jobsEnqueue({ jobs: [job('never-1')] }).catch((e: unknown) => e);
      expect(performance.now() - started).toBeGreaterThanOrEqual(SQLITE_BUSY_TIMEOUT_MS - 50);
      expect(err).toBeInstanceOf(EngineUnavailableError);
      expect((err as Error).message).toMatch(/locked by another process/);
      holder.exec('ROLLBACK');
      // Nothing was written, and the backend works again once the lock is free.
      expect(await backend.jobGet({ id: 'never-1' })).toBeNull();
      const [outcome] = await backend.jobsEnqueue({ jobs: [job('never-1')] });
      expect(outcome!.created).toBe(true);
      holder.close();
      await backend.close();
    },
    SQLITE_BUSY_TIMEOUT_MS * 3,
  );
});
