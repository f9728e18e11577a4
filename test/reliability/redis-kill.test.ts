/** The SIGKILL scenario on one Redis key prefix shared by three worker processes. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { deleteNamespace } from '../helpers/redis.js';
import { describeKillScenario } from './kill-scenario.js';

describeKillScenario('Redis', async () => {
  if (!(await engineAvailable('redis'))) return null;
  const prefix = `rel-kill-${randomBytes(4).toString('hex')}`;
  return {
    url: `${TEST_URLS.redis}/0?prefix=${prefix}`,
    async cleanup() {
      const admin = new Redis(TEST_URLS.redis);
      await deleteNamespace(admin, `{${prefix}}:`);
      await admin.quit();
    },
  };
});
