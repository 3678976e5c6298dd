import { startObservers } from '../observe/observers.ts';
import { info } from '../util/log.ts';
import { startOperator } from './operator.ts';
import { checkConvergence, quiesce } from './run/check.ts';
import { markPhase, openRun, phase } from './run/context.ts';
import { driveWorkload, healAll, warmUp } from './run/drive.ts';
import type { RunOptions, RunResult } from './run/options.ts';
import { planRun } from './run/plan.ts';
import { registerPipeline, removeRunObjects } from './run/register.ts';
import { writeRunReport } from './run/report.ts';

export type { RunOptions, RunResult } from './run/options.ts';

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
