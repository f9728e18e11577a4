/**
 * The conformance suite on the PostgreSQL engine: every backend gets a fresh schema
 * `t_<random>`, dropped when it closes.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { openPostgresBackend } from '../../src/engines/postgres/index.js';
import { runConformance } from '../conformance/index.js';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';

const available = await engineAvailable('postgres');
const admin = new pg.Pool({ connectionString: TEST_URLS.postgres, max: 2 });
afterAll(() => admin.end());

/** Opens a backend on a fresh schema; closing it drops the schema. */
async function freshBackend(clock: Parameters<Parameters<typeof runConformance>[1]>[0]): Promise<Backend> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const backend = await openPostgresBackend({ url: TEST_URLS.postgres, clock, namespace: schema });
  const close = backend.close.bind(backend);
  backend.close = async () => {
    await close();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  };
  return backend;
}

if (available) runConformance('postgres', freshBackend);
else describe.skip('conformance: postgres (PostgreSQL is down)', () => it('skipped', () => undefined));
