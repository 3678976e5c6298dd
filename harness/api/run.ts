import { join, resolve } from 'node:path';
import { localProvider } from '../provider/local.ts';
import type { AnomalyClass, Verdict } from '../record/anomalies.ts';
import type { RunReport } from '../record/report.ts';
import { loadScenario, parseScenario } from '../scenario/load.ts';
import { runScenario } from '../scenario/runner.ts';
import type { Stack } from '../stack/stack.ts';

/**
 * A scenario given inline: the same keys as a scenario file (scenarios/*.yaml), as an object, validated the
 * same way. `name` and `description` are required; the rest default as in a file
 * (e.g. `{ name: 'quick', description: 'a short burst', workload: { duration: '10s', rate: 50 } }`).
 */
export interface ScenarioInput {
  name: string;
  description: string;
  seed?: number;
  workload?: Record<string, unknown>;
  faults?: Record<string, unknown>[];
  budget?: Record<string, unknown>;
  expect?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Overrides for one run; each defaults to the scenario's own value. */
export interface RunScenarioOptions {
  /** The pipeline definition to test, a directory resolved against the current directory (default: the
   * package's healthy definition). Files it lacks come from the healthy one. */
  connectors?: string;
  seed?: number;
  /** Workload duration in seconds. */
  durationSeconds?: number;
  /** Target operations per second (0: as fast as possible). */
  rate?: number;
  /** Aborts the run: every fault it started is healed, and its partial report is written. */
  signal?: AbortSignal;
}

/** What one run found, and where its report is. */
export interface ScenarioResult {
  scenario: string;
  verdict: Verdict;
  expectedVerdict: Verdict;
  /** The verdict (and a zoo entry's anomaly classes) matched the scenario's expectation, within the budget. */
  passed: boolean;
  /** From the moment the last fault healed until Postgres and Elasticsearch were equal; null if never. */
  timeToConvergenceMs: number | null;
  /** The anomaly classes found at the final check, with their counts (only classes with a count above 0). */
  anomalies: Partial<Record<AnomalyClass, number>>;
  /** The run directory: report.json, report.md, index.html, junit.xml, logs/. */
  runDir: string;
  /** The run's HTML report (runDir/index.html). */
  reportPath: string;
  /** Everything the run recorded (report.json); its shape may grow between minor versions. */
  report: RunReport;
}

function replay(name: string, stack: string, seed: number, o: RunScenarioOptions, inline: boolean): string {
  if (inline) return `the inline scenario "${name}" with seed ${seed}`;
  const parts = ['npx outbox-chaos run', name, `--seed ${seed}`, `--name ${stack}`];
  if (o.durationSeconds !== undefined) parts.push(`--duration ${o.durationSeconds}`);
  if (o.rate !== undefined) parts.push(`--rate ${o.rate}`);
  if (o.connectors) parts.push(`--connectors ${o.connectors}`);
  return parts.join(' ');
}

/** Runs one scenario on a stack: resets the pipeline, drives the workload and faults, checks convergence. */
export async function runOn(
  stack: Stack,
  scenario: string | ScenarioInput,
  o: RunScenarioOptions = {},
): Promise<ScenarioResult> {
  const inline = typeof scenario !== 'string';
  const s = inline ? parseScenario(scenario, `inline scenario "${scenario.name}"`) : loadScenario(scenario);
  const seed = o.seed ?? s.seed;
  const r = await runScenario({
    scenario: s,
    provider: localProvider(stack),
    connectorsDir: o.connectors === undefined ? undefined : resolve(o.connectors),
    seed,
    durationMs: o.durationSeconds === undefined ? undefined : o.durationSeconds * 1000,
    ratePerSec: o.rate,
    replay: replay(s.name, stack.name, seed, o, inline),
    signal: o.signal,
  });
  return toResult(r.report, r.runDir);
}

/** A run's report as the API hands it out. */
export function toResult(rep: RunReport, runDir: string): ScenarioResult {
  const anomalies = Object.fromEntries(Object.entries(rep.anomalies.counts).filter(([, n]) => n > 0));
  return {
    scenario: rep.scenario,
    verdict: rep.verdict,
    expectedVerdict: rep.expectedVerdict,
    passed: rep.passed,
    timeToConvergenceMs: rep.timeToConvergenceMs,
    anomalies,
    runDir,
    reportPath: join(runDir, 'index.html'),
    report: rep,
  };
}
