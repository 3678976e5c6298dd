// Mutation testing of the checker, the judge, and the decimal and timestamp readings the checker compares by:
// `npm run mutation` (bench/mutation/run.ts runs this config and writes bench/mutation/results.json).
// Equivalent mutants that survive on purpose: bench/mutation/EQUIVALENT.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'bench/mutation/vitest.config.ts', related: true },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'harness/check/*.ts',
    '!harness/check/*.test.ts',
    'harness/scenario/judge.ts',
    'harness/model/decimal.ts',
    'harness/model/timestamps.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: '.scratch/stryker-tmp',
  cleanTempDir: 'always',
  // Only what the unit tests import or read is needed in the sandbox: the mapping tests read the definitions'
  // index mappings (connectors/, examples/, scenarios/zoo/), so only the sink's Java sources and build stay out.
  ignorePatterns: [
    'connectors/es-sink/src',
    'connectors/es-sink/target',
    'reports',
    '.ci',
    '.scratch',
    '.outbox-chaos',
  ],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
};
