import type { AnomalyClass, Verdict } from '../record/anomalies.ts';
import type { WorkloadProfile } from '../workload/profile.ts';

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
  budget: { convergenceMs: number; lagP99Ms: number | null };
  /** failedTask: that connector's task must end FAILED, with its trace (a zoo entry's zoo.yaml sets it). */
  expect: { verdict: Verdict; anomalies: AnomalyClass[]; failedTask?: 'source' | 'sink' };
  operator: OperatorRule[];
  /** Register the source only once the workload has started (snapshot under load). */
  registerDuringWorkload: boolean;
  /** Rows inserted before the connectors are registered (so the snapshot has something to copy). */
  preload: number;
  /** Capabilities the scenario needs from the provider. */
  needs: ('toxiproxy' | 'process-control')[];
}
