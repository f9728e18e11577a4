// `prepare` hook: builds dist/ when it is missing or older than the sources, so that
// `npm install && npx gantry dev` works on a fresh clone without rebuilding on every install.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const newest = (dir) => {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
};

const marker = 'dist/cli/main.js';
const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const sources = Math.max(newest('src'), newest('dashboard'), newest('migrations'));
if (!existsSync('node_modules/.bin/tsc')) {
  console.log('gantry: dev dependencies are not installed; skipping the build');
} else if (built === 0 || sources > built) {
  execSync('npm run build', { stdio: 'inherit' });
}
