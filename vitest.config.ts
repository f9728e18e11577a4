import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most files wait on engines and child processes, not the CPU: two at once even on two
    // cores (Vitest's default there is one) keeps the whole suite well under ten minutes.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
