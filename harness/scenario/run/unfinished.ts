/** Stand-ins for the parts an interrupted run never reached, so its partial report can still be built. */
import { ANOMALY_CLASSES, type Comparison } from '../../record/anomalies.ts';
import type { WorkloadSummary } from '../../workload/driver.ts';
import type { CheckResult } from './check.ts';

/** The check an interrupted run never got to: nothing compared, so no anomaly can be claimed. */
export function notChecked(): CheckResult {
  const counts = Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, 0])) as Comparison['counts'];
  const examples = Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, []])) as unknown as Comparison['examples'];
  const comparison: Comparison = {
    equal: false,
    pgRows: 0,
    esDocs: 0,
    counts,
    examples,
    setupErrors: { count: 0, examples: [] },
  };
  return { verdict: 'diverged', timeToConvergenceMs: null, comparison, flaps: [], settleMs: 0 };
}

/** The workload of a run interrupted before its workload began. */
export function notRun(seed: number, workloadHash: string, at: number): WorkloadSummary {
  return {
    seed,
    workloadHash,
    opsGenerated: 0,
    opsRecorded: 0,
    byKind: { insert: 0, update: 0, delete: 0, reinsert: 0, txn: 0 },
    byOutcome: { ok: 0, failed: 0, unknown: 0 },
    transactions: 0,
    rowsChanged: 0,
    noopSteps: 0,
    startedAt: at,
    endedAt: at,
    durationMs: 0,
    opsPerSec: 0,
    transactionsPerSec: 0,
    reconnects: 0,
    connectFailures: 0,
    stoppedBy: 'abort',
    errors: [],
    ids: { base: 0, span: 0 },
    sequence: null,
    prepared: false,
  };
}
