import { defineConfig } from 'vitest/config';
import ClusterLast from './test/tools/cluster-last.ts';

// Two projects: fast unit tests (no stack) next to the code they test, and integration tests that share one
// real stack brought up by a global setup and always torn down.
export default defineConfig({
  test: {
    // The skip reporter closes the run with every skipped test, its reason and its fix; the JSON results let
    // .ci/run print one plain "N passed, N failed" line after it.
    reporters: ['default', './test/tools/skip-reporter.ts', ['json', { outputFile: 'reports/vitest-results.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts', 'bench/**/*.test.ts', 'test/**/*.test.ts'],
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
          // The suite setup writes one suite report over the runs this session made (reports/latest-suite).
          globalSetup: ['test/global-setup.ts', 'test/tools/suite-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          fileParallelism: false,
          // test/cluster.int.test.ts starts its cluster stack last, once the single stack's files are done.
          sequence: { concurrent: false, sequencer: ClusterLast },
        },
      },
    ],
  },
});
