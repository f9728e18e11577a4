// The systems measured per engine: Gantry first, then its peers on the same engine.
import { gantryPostgres, gantrySqlite } from './gantry.js';
import { graphileWorker } from './graphile-worker.js';
import { pgBoss } from './pg-boss.js';
import { plainjob } from './plainjob.js';

/** Systems by engine; the first of each list is Gantry, the one the ratios are about. */
export const SYSTEMS = {
  postgres: [gantryPostgres, graphileWorker, pgBoss],
  sqlite: [gantrySqlite, plainjob],
};

/** The system named `name` on `engine`; throws with the known names otherwise. */
export function systemOf(engine, name) {
  const s = SYSTEMS[engine]?.find((x) => x.name === name);
  if (!s)
    throw new Error(`no system ${name} on ${engine}; known: ${(SYSTEMS[engine] ?? []).map((x) => x.name).join(', ')}`);
  return s;
}
