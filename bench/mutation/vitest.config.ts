import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The unit tests that cover the mutated files (see stryker.config.mjs), and nothing else: no integration
 * project, no global setup, no stack. Stryker runs them once per mutant, so they must stay fast and local; the
 * read-pg test brings its own throwaway Postgres.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: [
      'harness/check/*.test.ts',
      'harness/scenario/judge.test.ts',
      'harness/model/decimal.test.ts',
      'harness/model/timestamps.test.ts',
    ],
    exclude: ['**/*.int.test.ts', '**/*.stack.test.ts', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
