/**
 * Makes a real engine refuse one job's writes, as an engine refuses a value it cannot store:
 * a trigger that raises when the job with `id` is moved to `state`. The same on both SQL
 * engines, so a test can check that one refused job never blocks the others.
 */
import type { SqlEngine, SqlStore } from './sql-engines.js';

/** The message the trigger refuses with. */
export const REFUSAL = 'refused by the test';

/** Installs a trigger that refuses to move job `id` to any of `states`. */
export async function refuseWrites(
  engine: SqlEngine,
  store: SqlStore,
  p: { id: string; states: string[] },
): Promise<void> {
  // Ids and states are the test's own constants: inlined, as trigger bodies take no parameters.
  const states = p.states.map((s) => `'${s}'`).join(', ');
  if (engine.name === 'sqlite') {
    await store.sql(
      `CREATE TRIGGER refuse_writes BEFORE UPDATE ON jobs
       WHEN NEW.id = '${p.id}' AND NEW.state IN (${states})
       BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END`,
    );
    return;
  }
  await store.sql(
    `CREATE FUNCTION refuse_writes() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF NEW.id = '${p.id}' AND NEW.state IN (${states}) THEN RAISE EXCEPTION '${REFUSAL}'; END IF;
       RETURN NEW;
     END $$`,
  );
  await store.sql('CREATE TRIGGER refuse_writes BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION refuse_writes()');
}
