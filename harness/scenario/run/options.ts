import type { RunNames } from '../../pipeline/run-names.ts';
import type { Provider } from '../../provider/interface.ts';
import type { RunReport } from '../../record/report.ts';
import type { Endpoints } from '../../stack/endpoints.ts';
import type { FaultStep, Scenario } from '../schema.ts';

export interface RunOptions {
  scenario: Scenario;
  provider: Provider;
  /**
   * On an environment the harness does not own: treat it as the harness's own anyway (reset wipes every
   * connector, slot and publication; definitions may use fixed object names).
   */
  allowDestructive?: boolean;
  /** Leave the run's own objects (connectors, slot, publication, table, index, topics) on a shared environment. */
  keepObjects?: boolean;
  connectorsDir?: string;
  seed?: number;
  durationMs?: number;
  ratePerSec?: number;
  /** The command that replays this run, printed and stored in the report. */
  replay: string;
  signal?: AbortSignal;
  /**
   * An explicit fault schedule instead of the scenario's faults or its seeded random schedule (shrinking
   * re-runs a random-chaos scenario with smaller schedules). The run then writes scenario.yaml with it.
   */
  faults?: FaultStep[];
  /** Also time the lag probe's markers in Kafka (a per-hop split of the lag; capacity asks for it). */
  probeKafka?: boolean;
  /** Runs after the heal phase, before the check (tests use it to tamper with a store on purpose). */
  beforeCheck?: (ctx: { endpoints: Endpoints; names: RunNames; table: string; runDir: string }) => Promise<void>;
}

export interface RunResult {
  report: RunReport;
  runDir: string;
  /** The fault schedule the run used (for random-chaos: the one generated from the seed). */
  schedule: FaultStep[];
}
