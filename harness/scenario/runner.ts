import { startObservers } from '../observe/observers.ts';
import { info } from '../util/log.ts';
import { startOperator } from './operator.ts';
import { EnvError } from '../util/errors.ts';
import type { WorkloadSummary } from '../workload/driver.ts';
import { checkConvergence, quiesce, type CheckResult } from './run/check.ts';
import { markPhase, openRun, phase, watchInterruptions } from './run/context.ts';
import { driveWorkload, healAll, warmUp } from './run/drive.ts';
import { RunInterrupted } from './run/interrupt.ts';
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
 * Interrupted (Ctrl-C, SIGTERM, a service that went away), it skips to heal — every fault it started is
 * healed — and to a partial report marked `interrupted`; a service that went away then fails it (exit 3).
 * On an environment the harness does not own, the run then removes the objects it made.
 */
export async function runScenario(o: RunOptions): Promise<RunResult> {
  const plan = planRun(o);
  const ctx = openRun(o, plan);
  const unwatch = watchInterruptions(ctx);
  const ep = o.provider.endpoints;
  try {
    const result: { summary?: WorkloadSummary; check?: CheckResult } = {};
    try {
      await phase(ctx, 'register', () => registerPipeline(ctx));
      const observers = startObservers({
        endpoints: ep,
        names: plan.names,
        sourceConnector: plan.connectors.source,
        sinkConnector: plan.connectors.sink,
        samplesPath: `${ctx.runDir}/samples.jsonl`,
        log: (l) => info(`  ${l}`),
        pipeline: plan.def.pipeline,
      });
      const operator = startOperator({
        rules: o.scenario.operator,
        connect: ctx.connect,
        connectors: plan.connectors,
        record: ctx.timeline.record,
      });
      try {
        await phase(ctx, 'warm-up', () => warmUp(ctx, observers));
        const { summary, nemesis } = await phase(ctx, 'workload', () => driveWorkload(ctx, observers));
        result.summary = summary;
        const healedAt = await phase(ctx, 'heal', () => healAll(ctx, nemesis));
        const versions = await phase(ctx, 'quiesce', () => quiesce(ctx));
        result.check = await phase(ctx, 'check', () => checkConvergence(ctx, versions, healedAt));
      } finally {
        operator.stop();
        await observers.stop();
      }
    } catch (err) {
      // Interrupted (Ctrl-C, a service gone): the run goes on to heal and to a partial report.
      if (!(err instanceof RunInterrupted)) throw err;
    } finally {
      // Whatever ended the run, no fault it started stays on: no toxic, no frozen process, no paused connector.
      if (ctx.nemesis && !ctx.healed) await healAll(ctx, ctx.nemesis);
    }
    const report = await phase(ctx, 'report', () => writeRunReport(ctx, result.summary, result.check));
    markPhase(ctx, 'done');
    const failure = ctx.interruption?.failure;
    if (failure && !result.check)
      throw new EnvError(
        `the run was cut short: ${failure.message}`,
        `partial report: ${ctx.runDir}/report.md; \`outbox-chaos doctor\` shows the stack`,
        failure.details,
      );
    return { report, runDir: ctx.runDir, schedule: plan.schedule };
  } finally {
    unwatch();
    if (plan.scoped && !o.keepObjects) await removeRunObjects(ctx);
  }
}
