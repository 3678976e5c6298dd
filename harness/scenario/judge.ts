import type { AnomalyClass, Verdict } from '../record/anomalies.ts';
import type { RunReport } from '../record/report.ts';

/** What a run must show to pass: the scenario's expectation, plus a zoo entry's failed-task expectation. */
export interface Expectation {
  verdict: Verdict;
  anomalies: readonly AnomalyClass[];
  /** This connector's task must end FAILED, with its trace in the report. */
  failedTask?: 'source' | 'sink';
  /** Budget for the p99 of end-to-end lag outside fault windows (healthy expectations only). */
  lagP99Ms: number | null;
}

/** What a run showed, as the report records it. */
export interface Observed {
  verdict: Verdict;
  counts: Record<AnomalyClass, number>;
  steadyP99: number | null;
  connectors: RunReport['connectors'];
  /** The connector names of the definition that ran, by role. */
  connectorNames: { source: string; sink: string };
}

/**
 * The one judge of a run, for scenarios and zoo entries alike: the verdict is the expected one, every
 * expected anomaly class was seen, an expected FAILED task is there with its trace, and a healthy expectation
 * also keeps the steady-state lag within its budget.
 */
export function judge(expect: Expectation, seen: Observed): { passed: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (seen.verdict !== expect.verdict) reasons.push(`verdict ${seen.verdict}, expected ${expect.verdict}`);
  for (const c of expect.anomalies) if ((seen.counts[c] ?? 0) === 0) reasons.push(`expected ${c} anomalies, saw none`);
  if (expect.failedTask) reasons.push(...failedTaskReasons(seen.connectorNames[expect.failedTask], seen.connectors));
  const budget = expect.lagP99Ms;
  if (expect.verdict === 'converged' && budget !== null && seen.steadyP99 !== null && seen.steadyP99 > budget) {
    reasons.push(`steady-state end-to-end lag p99 ${seen.steadyP99} ms is over the budget of ${budget} ms`);
  }
  return { passed: reasons.length === 0, reasons };
}

function failedTaskReasons(name: string, connectors: RunReport['connectors']): string[] {
  const c = connectors.find((x) => x.name === name);
  if (!c) return [`connector ${name} is not in report.connectors`];
  const failed = c.tasks.find((t) => t.state === 'FAILED');
  if (!failed) return [`expected a FAILED task of ${name}, report.connectors shows ${c.state} / ${c.tasks.map((t) => `${t.id}: ${t.state}`).join(', ') || 'no tasks'}`];
  if (!failed.trace?.trim()) return [`task ${failed.id} of ${name} is FAILED but report.connectors has no trace for it`];
  return [];
}

/** The observed side of a recorded report (the zoo re-judges reports with its own expectations). */
export function observedIn(report: RunReport, connectorNames: Observed['connectorNames']): Observed {
  return { verdict: report.verdict, counts: report.anomalies.counts, steadyP99: report.lag.steady?.p99 ?? null, connectors: report.connectors, connectorNames };
}
