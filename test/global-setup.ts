/**
 * Vitest global setup: compiles `src/` into `dist/` once per run when dist is missing or older
 * than the sources, because the CLI and reliability tests run the real built `gantry` binary.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const MARKER = join(ROOT, 'dist/cli/main.js');

function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The file filters given to vitest, or none. An argument after a flag is taken as that flag's
 * value; a misread only makes the setup build when it need not, never the other way round.
 */
function fileFilters(argv: string[]): string[] {
  const out: string[] = [];
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'run' || a === 'watch') continue;
    if (a.startsWith('-')) {
      if (!a.includes('=')) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** Builds dist/ with tsc when it is stale and the run includes tests of the built CLI (or of the examples, which import the built package). */
export default function setup(): void {
  const filters = fileFilters(process.argv);
  // A run limited to other folders (an engineer's own tests) does not pay for a build.
  if (filters.length > 0 && !filters.some((f) => /cli|reliability|examples/.test(f))) return;
  const built = existsSync(MARKER) ? statSync(MARKER).mtimeMs : 0;
  if (built !== 0 && built >= Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'migrations')))) return;
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    // tsc still emits on type errors; the type-check step of `npm test` reports them. Only a
    // build that produced no CLI at all stops the run here.
    if (!existsSync(MARKER)) throw err;
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    console.warn(`global-setup: tsc reported errors (dist was still written):\n${out.slice(0, 2000)}`);
  }
}
