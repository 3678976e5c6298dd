import type { AnomalyClass, Verdict } from '../record/anomalies.ts';
import { fmtDuration } from '../report/format.ts';
import type { ScenarioResult } from './run.ts';

/** How many examples of each anomaly class the message shows (report.md has them all). */
const EXAMPLES_PER_CLASS = 3;

/**
 * A verdict other than the one asserted. Its message says what was found, in the order to read it: the
 * verdict, each anomaly class with its count and examples, the likely causes with their fixes, the notes,
 * and the path of the run's report; `result` holds the whole run for further assertions.
 */
export class VerdictError extends Error {
  constructor(
    readonly result: ScenarioResult,
    headline: string,
  ) {
    super(describe(result, headline));
    this.name = 'VerdictError';
  }
}

function oneLine(s: string, max = 200): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The failure message: what a test runner prints under the failed test. */
export function describe(r: ScenarioResult, headline: string): string {
  const rep = r.report;
  const lines = [headline];
  const time = r.timeToConvergenceMs === null ? 'never equal' : `equal after ${fmtDuration(r.timeToConvergenceMs)}`;
  lines.push(
    `  verdict: ${r.verdict} (expected ${r.expectedVerdict}; ${time}, budget ${fmtDuration(rep.budget.convergenceMs)})`,
  );
  lines.push(`  final: ${rep.final.pgRows} rows in Postgres, ${rep.final.esDocs} documents in Elasticsearch`);
  const classes = Object.entries(r.anomalies) as [AnomalyClass, number][];
  if (classes.length) {
    lines.push(`  anomalies: ${classes.map(([c, n]) => `${c} ${n}`).join(', ')}`);
    for (const [c] of classes)
      for (const a of (rep.anomalies.examples[c] ?? []).slice(0, EXAMPLES_PER_CLASS))
        lines.push(`    ${c} product ${a.product_id}: ${oneLine(a.detail)}`);
  }
  if (rep.setupErrors?.count)
    lines.push(`  setup errors: ${rep.setupErrors.count} (${oneLine(rep.setupErrors.examples[0]?.detail ?? '')})`);
  if (rep.warmUpFailure) lines.push(`  warm-up failed: ${oneLine(rep.warmUpFailure)}`);
  for (const d of rep.diagnoses ?? []) lines.push(`  likely cause: ${oneLine(d.cause)}`, `    fix: ${oneLine(d.fix)}`);
  for (const n of rep.notes.slice(0, 5)) lines.push(`  note: ${oneLine(n)}`);
  if (rep.interrupted) lines.push(`  interrupted during ${rep.interrupted.during}: ${oneLine(rep.interrupted.reason)}`);
  lines.push(`  report: ${r.reportPath} (report.md beside it)`, `  replay: ${rep.replay}`);
  return lines.join('\n');
}

/** Asserts that one of `verdicts` was reached; throws a VerdictError naming what was found otherwise. */
export function expectVerdict(result: ScenarioResult, verdicts: Verdict | readonly Verdict[]): void {
  const wanted: readonly Verdict[] = typeof verdicts === 'string' ? [verdicts] : verdicts;
  if (wanted.includes(result.verdict)) return;
  throw new VerdictError(
    result,
    `scenario "${result.scenario}": verdict ${result.verdict}, expected ${wanted.join(' or ')}`,
  );
}

/**
 * Asserts that Elasticsearch converged to Postgres within the scenario's budget and stayed equal (verdict
 * `converged`, and the run passed): the healthy-pipeline assertion.
 */
export function expectConverged(result: ScenarioResult): void {
  if (result.verdict === 'converged' && result.passed) return;
  throw new VerdictError(
    result,
    result.verdict === 'converged'
      ? `scenario "${result.scenario}" converged but failed its expectation (lag budget or expected anomalies)`
      : `scenario "${result.scenario}" did not converge: ${result.verdict}`,
  );
}

/** Asserts that the run met the scenario's own expectation (`expect:` in the file; a zoo entry expects diverged). */
export function expectPassed(result: ScenarioResult): void {
  if (result.passed) return;
  throw new VerdictError(result, `scenario "${result.scenario}" failed its expectation (${result.expectedVerdict})`);
}
