import { startObservers } from '../observe/observers.ts';
import {
  modelledTables,
  OWN_TABLES_OBSERVERS,
  PER_TABLE_OBSERVERS as PER_TABLE,
  watchedTables,
} from './run/own-tables.ts';
import { info } from '../util/log.ts';
import { startOperator } from './operator.ts';
import { EnvError } from '../util/errors.ts';
import type { Nemesis } from '../faults/nemesis.ts';
import type { RunPhase } from '../record/timeline.ts';
import { checkConvergence, quiesce } from './run/check.ts';
import { openRun } from './run/context.ts';
import { RunControl } from './run/control.ts';
import { healAll } from './run/heal.ts';
import { RunInterrupted } from './run/interrupt.ts';
import type { RunOptions, RunResult } from './run/options.ts';
import { planRun } from './run/plan.ts';
import { registerPipeline, removeRunObjects } from './run/register.ts';
import { writeRunReport, type RunOutcome } from './run/report.ts';
import { warmUp } from './run/warm-up.ts';
import { armFaults, driveWorkload } from './run/workload.ts';
import { forPostgres } from './schema.ts';

export type { RunOptions, RunResult } from './run/options.ts';

/**
 * Runs one scenario, the one place that knows the order of phases:
 *
 *   plan      faults built and checked against the provider, names chosen: before anything changes
 *   register  the pipeline reset to empty, the stores created, the connectors registered
 *   warm-up   the lag probe's first marker is searchable: the pipeline flows; each fault prepares
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
export async function runScenario(given: RunOptions): Promise<RunResult> {
  // Judged by what a healthy pipeline does on the Postgres this stack runs (e.g. failover slots from 17 on).
  const pgMajor = Number.parseInt(given.provider.versions['postgres'] ?? '', 10);
  const o = { ...given, scenario: forPostgres(given.scenario, Number.isNaN(pgMajor) ? undefined : pgMajor) };
  const plan = planRun(o);
  const ctx = openRun(o, plan);
  const control = new RunControl(ctx);
  const phase = <T>(name: RunPhase, fn: () => Promise<T>): Promise<T> => control.run(name, fn);
  const unwatch = control.watch();
  const ep = o.provider.endpoints;
  // What the phases return, assembled here into the report's input; notes in the order the phases found them.
  const ran: RunOutcome = { def: plan.def, notes: [] };
  const noted = <T extends { notes: string[] }>(r: T): T => {
    ran.notes.push(...r.notes);
    return r;
  };
  let nemesis: Nemesis | undefined;
  let healed = false;
  // Heals every fault the run started, once: in the heal phase, or in the end whatever cut the run short.
  const heal = async (): Promise<number> => {
    healed = true;
    return nemesis ? noted(await healAll(nemesis)).healedAt : Date.now();
  };
  try {
    try {
      const { def, sink, workloadHash } = await phase('register', () => registerPipeline(ctx));
      Object.assign(ran, { def, sink, workloadHash });
      const own = modelledTables(def);
      const observers = startObservers({
        endpoints: ep,
        names: plan.names,
        sourceConnector: plan.connectors.source,
        sinkConnector: plan.connectors.sink,
        samplesPath: `${ctx.runDir}/samples.jsonl`,
        log: (l) => info(`  ${l}`),
        pipeline: def.pipeline,
        probeKafka: o.probeKafka,
        // The lag probe writes and reads products documents: not on a definition's own tables; op lag and the
        // doc watch follow each table instead of products.
        ...(def.tables ? { enabled: OWN_TABLES_OBSERVERS.filter((n) => own || !PER_TABLE.includes(n)) } : {}),
        ...(own ? { tables: watchedTables(own) } : {}),
        watchAll: o.scenario.watch === 'all',
      });
      const operator = startOperator({
        rules: o.scenario.operator,
        connect: ctx.connect,
        connectors: plan.connectors,
        record: ctx.timeline.record,
      });
      try {
        ran.warmUp = noted(
          await phase('warm-up', async () => {
            const ready = await warmUp(ctx, def, observers);
            nemesis = armFaults(ctx); // known to the runner from here on: healed whatever ends the run
            // The faults' own preparation (a failover waits for the slot's copy on the standby): not on the clock.
            return { ...ready, notes: [...ready.notes, ...(await nemesis.prepare())] };
          }),
        );
        const workload = await phase('workload', () => driveWorkload(ctx, def, observers, nemesis as Nemesis));
        ran.workload = noted(workload).summary;
        const healedAt = await phase('heal', heal);
        const versions = await phase('quiesce', () => quiesce(ctx, def));
        ran.check = noted(await phase('check', () => checkConvergence(ctx, def, versions, healedAt, observers))).result;
      } finally {
        operator.stop();
        await observers.stop();
      }
    } catch (err) {
      // Interrupted (Ctrl-C, a service gone): the run goes on to heal and to a partial report.
      if (!(err instanceof RunInterrupted)) throw err;
    } finally {
      // Whatever ended the run, no fault it started stays on: no toxic, no frozen process, no paused connector.
      if (nemesis && !healed) await heal();
    }
    ran.interruption = control.interruption;
    const report = await phase('report', () => writeRunReport(ctx, ran));
    control.mark('done');
    const failure = control.interruption?.failure;
    if (failure && !ran.check)
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
