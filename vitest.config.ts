import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests (no stack) next to the code they test, and integration tests that share one
// real stack brought up by a global setup and always torn down.
export default defineConfig({
  test: {
    // The JSON results let .ci/run print one plain "N passed, N failed" line at the end.
    reporters: ['default', ['json', { outputFile: 'reports/vitest-results.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.stack.test.ts', 'node_modules/**'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts', 'harness/**/*.stack.test.ts'],
          // The stack tests of observers and faults find the shared stack by this name.
          env: { OUTBOX_CHAOS_TEST_STACK: process.env.OUTBOX_CHAOS_TEST_REUSE ?? 'test' },
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          fileParallelism: false,
          sequence: { concurrent: false },
        },
      },
    ],
  },
});
