/**
 * WAL checkpoints on their own thread (`checkpointer.ts`): the thread copies what the main
 * connection wrote, the connection checkpoints by itself again if the thread fails, and neither
 * an open nor a closed backend keeps its process from exiting.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../src/engines/sqlite/checkpointer.js';

const HOOKS = fileURLToPath(new URL('./sqlite-ts-hooks.mjs', import.meta.url));
const INDEX = fileURLToPath(new URL('../../src/engines/sqlite/index.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gantry-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function walDb(name: string): Database.Database {
  const db = new Database(join(dir, name));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (v TEXT)');
  return db;
}

const autocheckpoint = (db: Database.Database): number => db.pragma('wal_autocheckpoint', { simple: true }) as number;

/** Runs `code` (an ES module importing the engine from its sources) in a child; its exit and output. */
function runChild(code: string): Promise<{ code: number | null; out: string; err: string }> {
  const script = `import { register } from 'node:module';
    register(${JSON.stringify(`file://${HOOKS}`)});
    const { openSqliteBackend } = await import(${JSON.stringify(`file://${INDEX}`)});
    ${code}`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => proc.on('close', (exit) => resolve({ code: exit, out, err })));
}

describe('sqlite: checkpoint thread', () => {
  it('turns the automatic checkpoint off and copies the WAL from its own thread', async () => {
    const db = walDb('copy.db');
    let copied: (pages: number) => void = () => {};
    const checkpointed = new Promise<number>((resolve) => (copied = resolve));
    const cp = startCheckpointer({ db, path: db.name, busyTimeoutMs: 1000, intervalMs: 5, onCheckpoint: copied });
    expect(autocheckpoint(db)).toBe(0);
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`row ${i} ${'x'.repeat(200)}`);
    })();
    expect(await checkpointed).toBeGreaterThan(0);
    await cp.stop();
    // The thread has copied everything: a checkpoint here finds nothing left to copy.
    const [after] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    expect(after!.log).toBe(after!.checkpointed);
    db.close();
  });

  it('turns the automatic checkpoint back on when the thread fails', async () => {
    const db = walDb('fail.db');
    let failed: (err: unknown) => void = () => {};
    const failure = new Promise<unknown>((resolve) => (failed = resolve));
    const cp = startCheckpointer({ db, path: join(dir, 'missing', 'nope.db'), busyTimeoutMs: 1000, onFail: failed });
    expect(await failure).toBeInstanceOf(Error);
    expect(autocheckpoint(db)).toBe(1000);
    await cp.stop();
    db.close();
  });

  it('lets a process exit, with its backend closed or left open', async () => {
    const url = `sqlite:${join(dir, 'exit.db')}`;
    const closed = await runChild(`const b = await openSqliteBackend({ url: ${JSON.stringify(url)} });
      await b.close();
      console.log('closed');`);
    expect(closed).toMatchObject({ code: 0, out: 'closed\n' });
    const open = await runChild(`await openSqliteBackend({ url: ${JSON.stringify(url)} });
      console.log('open');`);
    expect(open).toMatchObject({ code: 0, out: 'open\n' });
  });
});
