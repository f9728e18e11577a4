/** The conformance suite on the SQLite engine, one fresh temporary file per backend. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqliteBackend } from '../../src/engines/sqlite/index.js';
import { runConformance } from '../conformance/index.js';

const dir = mkdtempSync(join(tmpdir(), 'gantry-sqlite-conf-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runConformance('sqlite', (clock) => openSqliteBackend({ url: `sqlite:${join(dir, `t${++n}.db`)}`, clock }));
