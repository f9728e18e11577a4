/** The SIGKILL scenario on one PostgreSQL schema shared by three worker processes. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { describeKillScenario } from './kill-scenario.js';

describeKillScenario('PostgreSQL', async () => {
  if (!(await engineAvailable('postgres'))) return null;
  const schema = `rel_kill_${randomBytes(4).toString('hex')}`;
  return {
    url: `${TEST_URLS.postgres}?schema=${schema}`,
    async cleanup() {
      const client = new pg.Client({ connectionString: TEST_URLS.postgres });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
});
