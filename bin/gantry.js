#!/usr/bin/env node
// The `gantry` command. The CLI is written in TypeScript and built into dist/ by
// `npm run build` (run by `npm install` through `prepare`).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('error: gantry is not built yet; run `npm run build` (or `npm install`) first\n');
  } else {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  }
  process.exit(1);
});
