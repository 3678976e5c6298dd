/**
 * outbox-chaos as a library, for a project's own test suite: start or reuse a stack, run a scenario against a
 * pipeline definition, assert on the verdict. What this file exports is the package's public API (semver);
 * everything else in the package is internal.
 *
 *   const stack = await startStack({ name: 'my-pipeline' });
 *   const result = await stack.run('baseline', { connectors: './pipeline' });
 *   expectConverged(result); // throws a VerdictError listing the anomaly classes, examples and the report's path
 */
export { attachStack, startStack, type ChaosStack, type StartStackOptions } from './stack.ts';
export type { RunScenarioOptions, ScenarioInput, ScenarioResult } from './run.ts';
export { expectConverged, expectPassed, expectVerdict, VerdictError } from './expect.ts';
export { ConfigError, EnvError, HarnessError } from '../util/errors.ts';
export type { Anomaly, AnomalyClass, Verdict } from '../record/anomalies.ts';
export type { RunReport } from '../record/report.ts';
export type { Endpoints } from '../stack/endpoints.ts';
export type { Topology } from '../stack/targets.ts';
