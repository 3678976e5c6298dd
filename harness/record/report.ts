import type { Anomaly, AnomalyClass, SetupError, Verdict } from './anomalies.ts';
import type { OpKind, Outcome } from './history.ts';
import type { FaultWindow } from './timeline.ts';

/** Latency summary in milliseconds. null fields mean "no samples". */
export interface LagSummary {
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** A product a search showed at an older version after it had shown a newer one. */
export interface Regression {
  product_id: number;
  /** The newer version seen first, then the older one seen after it (1-based positions in the history). */
  from: { version: number; seq: number; t: number };
  to: { version: number; seq: number; t: number };
}

/**
 * The schema of `report.json` (documented in the README). Every renderer (md, html, junit) is a pure
 * function of this object plus `samples.jsonl`, so a run directory can be re-rendered without the stack.
 */
export interface RunReport {
  schemaVersion: 1;
  runId: string;
  scenario: string;
  description: string;
  seed: number;
  workloadHash: string;
  /** The exact command that replays this run. */
  replay: string;
  provider: string;
  connectorsDir: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  verdict: Verdict;
  /** What the scenario expected (a zoo entry expects "diverged"). */
  expectedVerdict: Verdict;
  /** True when the verdict (and, for zoo entries, the anomaly classes) match the expectation. */
  passed: boolean;
  /**
   * Anomaly classes the scenario expects (zoo entries). Optional: when absent, a passing run that expected
   * "diverged" accepts the classes it found. Used by the junit per-class testcases.
   */
  expectedAnomalies?: AnomalyClass[];
  /** ms from the moment the last fault healed and the workload stopped until PG and ES were equal; null if never. */
  timeToConvergenceMs: number | null;
  budget: { convergenceMs: number; lagP99Ms: number | null; settleMs?: number };
  lag: {
    /** End-to-end lag from the probe (commit-ack → visible in a search). */
    e2e: LagSummary;
    /** Visibility lag of sampled workload ops. */
    ops: LagSummary;
    /** End-to-end lag outside fault windows: what the lagP99 budget is judged on. */
    steady?: LagSummary;
  } & LagSummary;
  anomalies: {
    counts: Record<AnomalyClass, number>;
    examples: Record<AnomalyClass, Anomaly[]>;
  };
  /** Postgres disagreeing with the history: a harness or setup error; any makes the run fail. */
  setupErrors?: { count: number; examples: SetupError[] };
  /** Times the stores were equal and then differed again (verdict `flapped`), with what differed. */
  flaps?: { equalAtMs: number; differedAtMs: number; counts: Record<AnomalyClass, number> }[];
  /** What search users saw on the way: a sampled product shown at an older version after a newer one. */
  regressions?: { count: number; sampledProducts: number; examples: Regression[] };
  /** Why the warm-up failed (the probe's first marker never became searchable); absent when it did not. */
  warmUpFailure?: string;
  ops: {
    total: number;
    byKind: Record<OpKind, number>;
    byOutcome: Record<Outcome, number>;
    ratePerSec: number;
  };
  /** Pipeline throughput, commit → searchable, events/s (null when not measured). */
  throughput: number | null;
  timeline: FaultWindow[];
  operatorActions: { t: number; action: string; reason: string }[];
  /** Final connector/task states, with traces of failed tasks. */
  connectors: { name: string; state: string; tasks: { id: number; state: string; trace?: string }[] }[];
  versions: Record<string, string>;
  /** Sizes at the final check. */
  final: { pgRows: number; esDocs: number };
  /** Free-form messages a human should read first (e.g. "sink task FAILED at 12:00:03"). */
  notes: string[];
}
