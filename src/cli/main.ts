/**
 * The entry point of `bin/gantry.js`: parses the command line, runs the command, and turns
 * any error into a message on stderr and a non-zero exit code.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { EXIT_USAGE, exitCodeFor, printError } from './output.js';

/** Runs the CLI with `argv` (as `process.argv`); resolves with the exit code. */
export async function run(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  const json = argv.includes('--json') || process.env.GANTRY_JSON !== undefined;
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander printed its own message (or help/version, which exit 0).
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    printError(err, json);
    return exitCodeFor(err);
  }
}

// Every command, long-running ones included, has finished when `run` resolves; exiting here
// keeps a stray timer or handle from holding the process open (stdout to a file or pipe is
// written synchronously on POSIX, so nothing printed is lost).
const code = await run();
process.exit(code !== 0 ? code : Number(process.exitCode ?? 0));
