/** `gantry migrate`: creates or upgrades the engine's schema and says whether it had to. */
import type { Command } from 'commander';
import type { Backend } from '../../backend/backend.js';
import { openBackend } from '../../backend/open.js';
import { GantryError } from '../../core/errors.js';
import { globals } from '../context.js';
import { printJson, println } from '../output.js';

/**
 * Opens the engine without migrating to learn whether the schema is current; when it is not,
 * opens it again letting the engine migrate. A schema ahead of this gantry stays an error
 * there too (an older gantry must not touch a newer schema). No engine's wording is matched:
 * a PostgreSQL schema that does not exist yet ("at version 0") is behind as well.
 */
async function openMigrated(url: string): Promise<{ backend: Backend; migrated: boolean }> {
  try {
    return { backend: await openBackend({ url, migrate: false }), migrated: false };
  } catch (err) {
    if (!(err instanceof GantryError && err.code === 'MIGRATION')) throw err;
    return { backend: await openBackend({ url }), migrated: true };
  }
}

/** Registers `migrate`. */
export function register(program: Command): void {
  program
    .command('migrate')
    .description('create or upgrade the schema of the engine at --url (other commands do it on open too)')
    .action(async (_f: unknown, cmd: Command) => {
      const g = globals(cmd);
      const { backend, migrated } = await openMigrated(g.url);
      try {
        // Idempotent: reports the version the schema is at now.
        const { to } = await backend.schemaMigrate();
        if (g.json) printJson({ engine: backend.name, migrated, version: to });
        else println(migrated ? `schema migrated to version ${to}` : `schema is up to date (version ${to})`);
      } finally {
        await backend.close();
      }
    });
}
