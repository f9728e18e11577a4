/** The SIGKILL scenario on one NATS prefix shared by three worker processes. */
import { randomBytes } from 'node:crypto';
import { TEST_URLS, engineAvailable } from '../helpers/engines.js';
import { dropNatsPrefix } from '../helpers/nats.js';
import { describeKillScenario } from './kill-scenario.js';

describeKillScenario('NATS JetStream', async () => {
  if (!(await engineAvailable('nats'))) return null;
  const prefix = `rk${randomBytes(4).toString('hex')}`;
  return {
    url: `${TEST_URLS.nats}?prefix=${prefix}`,
    cleanup: () => dropNatsPrefix(TEST_URLS.nats, prefix),
  };
});
