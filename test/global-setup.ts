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

/** Builds dist/ with tsc when it is stale. */
export default function setup(): void {
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
