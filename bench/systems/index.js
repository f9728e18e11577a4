// The systems measured per engine: Gantry first, then its peers on the same engine. Each is
// loaded on demand, so a worker process holds only the code of the system it runs (the
// memory measurement would otherwise count the peers' modules too).

/**
 * Module and export of each system, by engine: Gantry's configurations first (names starting
 * with `gantry`), then the peers. Ratios are printed for each Gantry configuration against each peer.
 */
const MODULES = {
  postgres: [
    ['gantry', './gantry.js', 'gantryPostgres'],
    ['gantry-delete', './gantry.js', 'gantryPostgresDelete'],
    ['graphile-worker', './graphile-worker.js', 'graphileWorker'],
    ['pg-boss', './pg-boss.js', 'pgBoss'],
  ],
  redis: [
    ['gantry', './gantry.js', 'gantryRedis'],
    ['gantry-delete', './gantry.js', 'gantryRedisDelete'],
    ['bullmq', './bullmq.js', 'bullmq'],
  ],
  nats: [
    ['gantry', './gantry.js', 'gantryNats'],
    ['gantry-delete', './gantry.js', 'gantryNatsDelete'],
    ['jetstream', './jetstream.js', 'jetstreamRaw'],
  ],
  sqlite: [
    ['gantry', './gantry.js', 'gantrySqlite'],
    ['gantry-delete', './gantry.js', 'gantrySqliteDelete'],
    ['plainjob', './plainjob.js', 'plainjob'],
  ],
};

/** The names of the systems of `engine`, Gantry first. */
export function systemNames(engine) {
  return (MODULES[engine] ?? []).map(([name]) => name);
}

/** Loads the system `name` on `engine`; throws with the known names otherwise. */
export async function systemOf(engine, name) {
  const entry = MODULES[engine]?.find(([n]) => n === name);
  if (!entry) throw new Error(`no system ${name} on ${engine}; known: ${systemNames(engine).join(', ')}`);
  return (await import(entry[1]))[entry[2]];
}
