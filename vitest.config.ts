import { defineConfig } from 'vitest/config';
import Lanes from './test/tools/lanes-sequencer.ts';

const CLUSTER = 'test/cluster.int.test.ts';
const integration = {
  // The stack tests of observers and faults find their shared stack by this name (the setup file sets the one
  // each file took: test/tools/shared-stack-lock.ts).
  env: { OUTBOX_CHAOS_TEST_STACK: process.env.OUTBOX_CHAOS_TEST_REUSE ?? 'test' },
  testTimeout: 600_000,
  hookTimeout: 900_000,
};

// Three projects, run one after the other: fast unit tests (no stack) next to the code they test; integration
// tests, most of which share two real stacks brought up by a global setup and always torn down (the containers
// provider's file among them, on stacks of its own); the cluster's.
export default defineConfig({
  test: {
    // The skip reporter closes the run with every skipped test, its reason and its fix; the JSON results let
    // .ci/run print one plain "N passed, N failed" line after it.
    reporters: ['default', './test/tools/skip-reporter.ts', ['json', { outputFile: 'reports/vitest-results.json' }]],
    // One sequencer for the whole run: the integration project's two lanes (test/tools/lanes.ts).
    sequence: { sequencer: Lanes },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts', 'bench/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.stack.test.ts', 'node_modules/**'],
          testTimeout: 60_000,
          // Vitest's default is one worker fewer than the cores: on a 2-core machine one, so the 160 files'
          // imports and throwaway Postgres servers ran one after another (155 s alone; 100 s on two workers).
          maxWorkers: 2,
        },
      },
      {
        test: {
          ...integration,
          name: 'integration',
          include: ['test/**/*.int.test.ts', 'harness/**/*.stack.test.ts'],
          exclude: [CLUSTER, 'node_modules/**'],
          // The suite setup writes one suite report over the runs this session made (reports/latest-suite).
          globalSetup: ['test/global-setup.ts', 'test/tools/suite-setup.ts'],
          // Two workers (test/tools/lanes.ts): the files on the shared stacks (each holds one), beside the files
          // with stacks of their own (the zoo, the lifecycle's, the plugin path's, the containers provider's).
          maxWorkers: 2,
          setupFiles: ['test/tools/shared-stack-lock.ts'],
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          ...integration,
          // The cluster stack starts once the single stacks' files are done, and runs alone: its scenarios time
          // failovers, which a neighbour's CPU would skew.
          name: 'cluster',
          include: [CLUSTER],
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
