/** The SIGKILL scenario on one SQLite file shared by three worker processes. */
import { tempDb } from '../cli/cli-helpers.js';
import { describeKillScenario, describeOverlapCheck } from './kill-scenario.js';

describeKillScenario('SQLite', async () => {
  const db = tempDb('gantry-kill-sqlite-');
  return { url: db.url, cleanup: db.cleanup };
});
describeOverlapCheck();
