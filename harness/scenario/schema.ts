import type { PgMajor } from '../provision/pg-versions.ts';
import type { ComponentPins } from '../provision/component-versions.ts';
import type { AnomalyClass, Verdict } from '../record/anomalies.ts';
import type { Topology } from '../stack/targets.ts';
import type { WorkloadProfile } from '../workload/profile.ts';

/**
 * What search users may see on the way: `none` (default for a healthy expectation): no sampled product ever
 * goes back to an older version; `some`: at least one does (a zoo entry's bug); `any`: not judged.
 */
export const REGRESSION_EXPECTATIONS = ['none', 'some', 'any'] as const;
export type RegressionExpectation = (typeof REGRESSION_EXPECTATIONS)[number];

/** Equality must hold this long (two snapshots this far apart) before it counts as convergence. */
export const DEFAULT_SETTLE_MS = 2000;
export { MIN_SETTLE_MS } from '../check/converge.ts';

/** A bound on the slot's lag in MB: at most `max` (healthy), or at least `min` (the bug shows). */
export type SlotLagExpectation = { max: number } | { min: number };

/**
 * Records the sink's topics hold twice (same key and LSN, read as the sink reads them): `none`, or `some` (an
 * at-least-once source after a hard kill: the fault bit). An exactly-once pipeline is always held to `none`.
 */
export const DUPLICATE_EXPECTATIONS = ['none', 'some'] as const;
export type DuplicateExpectation = (typeof DUPLICATE_EXPECTATIONS)[number];

/** One scheduled fault: when it starts (from the workload's start), how long it lasts, what it is. */
export interface FaultStep {
  atMs: number;
  /** Absent for instantaneous faults (a restart, a killed walsender). */
  durationMs?: number;
  kind: string;
  target: string;
  params: Record<string, unknown>;
}

/**
 * What an operator does when the pipeline cannot recover by itself, e.g. restarting a sink task that
 * FAILED after its retries. The runner performs it like an operator would and the report records it.
 */
export interface OperatorRule {
  when: 'task-failed';
  connector: 'source' | 'sink' | 'any';
  action: 'restart-failed-tasks';
  /** How long a task must have been FAILED before the operator reacts. */
  afterMs: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** What a healthy pipeline must do here, in one or two sentences: printed in reports. */
  healthy: string;
  file: string;
  workload: WorkloadProfile;
  seed: number;
  faults: FaultStep[];
  /** Generate the fault schedule from the seed instead (random-chaos). */
  randomFaults?: { count: number; kinds: string[]; maxDurationMs: number };
  /** settleMs: equality must still hold a snapshot this long after it was first seen (default 2 s). */
  budget: { convergenceMs: number; lagP99Ms: number | null; settleMs: number };
  /** failedTask: that connector's task must end FAILED, with its trace (a zoo entry's zoo.yaml sets it). */
  expect: {
    verdict: Verdict;
    anomalies: AnomalyClass[];
    failedTask?: 'source' | 'sink';
    regressions: RegressionExpectation;
    /** Rows the history's committed operations must leave for the run to prove anything (default 10). */
    minRows?: number;
    /** A pattern (case-insensitive) one of the report's likely causes must match, e.g. "TRUNCATE". */
    diagnosis?: string;
    /**
     * Document fields beyond the compared columns that the pipeline carries on purpose (e.g. a column a schema
     * change adds, or one it drops, which documents written before the drop keep): not unexpected-field.
     */
    fields?: string[];
    /**
     * How far the replication slot may fall behind the WAL (MB, the largest slot-lag sample): `max` for a
     * healthy pipeline, which keeps it bounded; `min` for a bug that lets it grow (Postgres must keep it all).
     */
    slotLagMb?: SlotLagExpectation;
    /** Records sent twice on the sink's topics (absent: counted only where the pipeline is exactly-once). */
    duplicates?: DuplicateExpectation;
  };
  /**
   * Where a healthy pipeline does otherwise on newer Postgres (`expect.fromPostgres`): from each major on, its
   * expectation and healthy text replace the ones above (forPostgres picks the one for the stack's major).
   */
  expectFromPostgres?: { major: number; expect: Scenario['expect']; healthy: string }[];
  operator: OperatorRule[];
  /** Register the source only once the workload has started (snapshot under load). */
  registerDuringWorkload: boolean;
  /** Rows inserted before the connectors are registered (so the snapshot has something to copy). */
  preload: number;
  /** The stack it is written for: cluster scenarios are skipped (with the reason) on a single stack. */
  topology: Topology;
  /**
   * Component versions it is written for (`versions: { postgres: 17, debezium: 3.4.x.Final }`): a new local
   * stack runs them; Debezium, Kafka and Elasticsearch ones are resolved against Maven Central before it starts.
   */
  versions?: { postgres?: PgMajor } & ComponentPins;
  /**
   * `all`: the regression watch follows every product, one search of the whole index per poll (for small key
   * spaces, where a passing change shown to a few users must not slip between sampled products). Default: a sample.
   */
  watch?: 'all';
  /** Capabilities the scenario needs from the provider. */
  needs: ('toxiproxy' | 'process-control' | 'isolation')[];
}

/** The scenario as judged on a stack running Postgres `major`: the latest `expect.fromPostgres` entry up to it. */
export function forPostgres(s: Scenario, major: number | undefined): Scenario {
  const from = (s.expectFromPostgres ?? [])
    .filter((e) => major !== undefined && e.major <= major)
    .sort((a, b) => b.major - a.major)[0];
  return from ? { ...s, expect: from.expect, healthy: from.healthy } : s;
}
