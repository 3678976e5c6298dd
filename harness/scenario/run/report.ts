import { join } from 'node:path';
import type { ConnectClient } from '../../connect/client.ts';
import { readJsonl } from '../../record/jsonl.ts';
import type { RunReport } from '../../record/report.ts';
import { copyLogSlices } from '../../record/run-dir.ts';
import type { Sample } from '../../record/samples.ts';
import { writeReportFiles } from '../../report/write.ts';
import type { WorkloadSummary } from '../../workload/driver.ts';
import { buildReport } from '../build-report.ts';
import type { CheckResult } from './check.ts';
import type { RunContext } from './context.ts';

/** Final connector and task states, with the (shortened) trace of a failed one. */
async function connectorStates(connect: ConnectClient, names: string[]): Promise<RunReport['connectors']> {
  const out: RunReport['connectors'] = [];
  for (const name of names) {
    const st = await connect.status(name).catch(() => undefined);
    out.push({
      name,
      state: st?.connector.state ?? 'MISSING',
      tasks: (st?.tasks ?? []).map((t) => ({ id: t.id, state: t.state, ...(t.trace ? { trace: t.trace.split('\n').slice(0, 200).join('\n') } : {}) })),
    });
  }
  return out;
}

/** Builds the report from what the run recorded and writes report.json and its renderings. */
export async function writeRunReport(ctx: RunContext, workload: WorkloadSummary, check: CheckResult): Promise<RunReport> {
  const { plan, o } = ctx;
  const finishedAt = Date.now();
  const samples = await readJsonl<Sample>(join(ctx.runDir, 'samples.jsonl'));
  await copyLogSlices(ctx.logMarks, ctx.runDir);
  const report = buildReport({
    runId: ctx.runId,
    scenario: o.scenario,
    seed: plan.seed,
    replay: ctx.replay,
    provider: ctx.provider.kind,
    connectorsDir: plan.def.dir,
    startedAt: ctx.startedAt,
    finishedAt,
    ...check,
    workload,
    workloadHash: plan.hash,
    samples,
    timeline: ctx.timeline.events,
    connectors: await connectorStates(ctx.connect, [plan.connectors.source, plan.connectors.sink]),
    connectorNames: plan.connectors,
    versions: ctx.provider.versions,
    notes: ctx.notes,
    ...(ctx.warmUpFailure ? { warmUpFailure: ctx.warmUpFailure } : {}),
  });
  await writeReportFiles(ctx.runDir, report, samples);
  return report;
}
