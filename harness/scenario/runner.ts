import { startObservers } from '../observe/observers.ts';
import type { RunNames } from '../pipeline/run-names.ts';
import type { Provider } from '../provider/interface.ts';
import type { RunReport } from '../record/report.ts';
import type { Endpoints } from '../stack/endpoints.ts';
import { info } from '../util/log.ts';
import { startOperator } from './operator.ts';
import { checkConvergence, quiesce } from './run/check.ts';
import { markPhase, openRun, phase } from './run/context.ts';
import { driveWorkload, healAll, warmUp } from './run/drive.ts';
import { planRun } from './run/plan.ts';
import { registerPipeline, removeRunObjects } from './run/register.ts';
import { writeRunReport } from './run/report.ts';
import type { FaultStep, Scenario } from './schema.ts';

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
  /** Runs after the heal phase, before the check (tests use it to tamper with a store on purpose). */
  beforeCheck?: (ctx: { endpoints: Endpoints; names: RunNames; table: string }) => Promise<void>;
}

export interface RunResult {
  report: RunReport;
  runDir: string;
  /** The fault schedule the run used (for random-chaos: the one generated from the seed). */
  schedule: FaultStep[];
}

/**
 * Runs one scenario, the one place that knows the order of phases:
 *
 *   plan      faults built and checked against the provider, names chosen: before anything changes
 *   register  the pipeline reset to empty, the stores created, the connectors registered
 *   warm-up   the lag probe's first marker is searchable: the pipeline flows
 *   workload  operations ∥ faults ∥ observers (and the operator, if the scenario has one)
 *   heal      every fault healed; the convergence clock starts
 *   quiesce   the committed versions of every product, from the history
 *   check     both stores polled until equal or the deadline
 *   report    report.json and its renderings, from what the run recorded
 *
 * On an environment the harness does not own, the run then removes the objects it made.
 */
export async function runScenario(o: RunOptions): Promise<RunResult> {
  const plan = planRun(o);
  const ctx = openRun(o, plan);
  const ep = o.provider.endpoints;
  try {
    await phase(ctx, 'register', () => registerPipeline(ctx));
    const observers = startObservers({ endpoints: ep, names: plan.names, sourceConnector: plan.connectors.source, sinkConnector: plan.connectors.sink, samplesPath: `${ctx.runDir}/samples.jsonl`, log: (l) => info(`  ${l}`) });
    const operator = startOperator({ rules: o.scenario.operator, connect: ctx.connect, connectors: plan.connectors, record: ctx.timeline.record });
    let result;
    try {
      await phase(ctx, 'warm-up', () => warmUp(ctx, observers));
      const { summary, nemesis } = await phase(ctx, 'workload', () => driveWorkload(ctx, observers));
      const healedAt = await phase(ctx, 'heal', () => healAll(ctx, nemesis));
      const versions = await phase(ctx, 'quiesce', () => quiesce(ctx));
      const check = await phase(ctx, 'check', () => checkConvergence(ctx, versions, healedAt));
      result = { summary, check };
    } finally {
      operator.stop();
      await observers.stop();
    }
    const report = await phase(ctx, 'report', () => writeRunReport(ctx, result.summary, result.check));
    markPhase(ctx, 'done');
    return { report, runDir: ctx.runDir, schedule: plan.schedule };
  } finally {
    if (plan.scoped && !o.keepObjects) await removeRunObjects(ctx);
  }
}
