/** `gantry migrate`: creates or upgrades the engine's schema, then says from which version to which. */
import type { Command } from 'commander';
import { openBackend } from '../../backend/open.js';
import { globals } from '../context.js';
import { printJson, println } from '../output.js';

/** Registers `migrate`. */
export function register(program: Command): void {
  program
    .command('migrate')
    .description('create or upgrade the schema of the engine at --url (other commands do it on open too)')
    .action(async (_f: unknown, cmd: Command) => {
      const g = globals(cmd);
      const backend = await openBackend({ url: g.url, migrate: false });
      try {
        const { from, to } = await backend.schemaMigrate();
        if (g.json) printJson({ url: g.url, engine: backend.name, from, to });
        else
          println(
            from === to ? `schema is up to date (version ${to})` : `schema migrated from version ${from} to ${to}`,
          );
      } finally {
        await backend.close();
      }
    });
}
