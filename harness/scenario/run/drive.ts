import { join } from 'node:path';
import type { FaultContext } from '../../faults/fault.ts';
import { createNemesis, type Nemesis } from '../../faults/nemesis.ts';
import type { Observers } from '../../observe/observers.ts';
import { registerConnector } from '../../pipeline/lifecycle.ts';
import { HistoryWriter } from '../../record/history-file.ts';
import { waitFor } from '../../stack/wait.ts';
import { errorMessage } from '../../util/errors.ts';
import { info } from '../../util/log.ts';
import { runWorkload, type WorkloadSummary } from '../../workload/driver.ts';
import { fmtMs } from '../progress.ts';
import type { RunContext } from './context.ts';

/** The probe's first marker must come through before the clock starts: the pipeline is flowing. */
export async function warmUp(ctx: RunContext, observers: Observers): Promise<void> {
  if (ctx.o.scenario.registerDuringWorkload) return;
  await waitFor('the lag probe to see its first marker in Elasticsearch', async () => observers.latest().probeVisibleSeq > 0, { timeoutMs: 60_000, intervalMs: 200 }).catch((err: unknown) => {
    ctx.warmUpFailure = errorMessage(err);
    ctx.notes.push(`warm-up: ${ctx.warmUpFailure}`);
  });
}

/**
 * The workload, the fault schedule and (for a snapshot under load) the late source registration, side by
 * side, with a progress line. Returns the workload's summary and the nemesis, whose faults are still to heal.
 */
export async function driveWorkload(ctx: RunContext, observers: Observers): Promise<{ summary: WorkloadSummary; nemesis: Nemesis }> {
  const { plan, provider, o } = ctx;
  const ep = provider.endpoints;
  const history = await HistoryWriter.open(join(ctx.runDir, 'history.jsonl'), {
    onEntry: (e) => {
      observers.countOp();
      if (e.outcome === 'ok') observers.trackOp(e);
    },
  });
  const faultCtx: FaultContext = { endpoints: ep, services: provider.services, sharedToxiproxy: !provider.exclusive, connect: ctx.connect, names: plan.names, connectors: plan.connectors, record: ctx.timeline.record };
  const nemesis = createNemesis(plan.entries, faultCtx);
  const t0 = Date.now();
  const ticker = setInterval(() => {
    const l = observers.latest();
    const left = Math.max(0, plan.profile.durationMs - (Date.now() - t0));
    const open = nemesis.windows().filter((w) => w.end === undefined).map((w) => w.fault);
    ctx.progress.update(`  workload  ${history.count ?? ''} ops  lag ${fmtMs(l.probeLagMs)}  consumer lag ${l.consumerLag ?? '–'}  slot ${l.slotLagBytes ?? '–'} B${open.length ? `  faults: ${open.join(', ')}` : ''}  ${Math.ceil(left / 1000)} s left`);
  }, 500);
  let summary: WorkloadSummary;
  try {
    [summary] = await Promise.all([
      runWorkload({ pgUrl: ep.pgUrl, table: plan.def.table, seed: plan.seed, profile: plan.profile, history, signal: o.signal }),
      nemesis.run({ t0, signal: o.signal }),
      lateSource(ctx),
    ]);
  } finally {
    clearInterval(ticker);
    ctx.progress.done();
    await history.close();
  }
  info(`  workload done: ${summary.opsRecorded} ops (${summary.byOutcome.ok} ok, ${summary.byOutcome.failed} failed, ${summary.byOutcome.unknown} unknown), ${summary.opsPerSec.toFixed(0)} ops/s`);
  return { summary, nemesis };
}

/** Heals every fault (a fault that fails to heal is noted); returns when the last one healed. */
export async function healAll(ctx: RunContext, nemesis: Nemesis): Promise<number> {
  const healed = await nemesis.healAll();
  for (const w of healed.filter((x) => x.error)) ctx.notes.push(`fault ${w.id}: ${w.error}`);
  return Date.now();
}

/** Snapshot under load: the source connector is registered a moment after the workload began. */
async function lateSource(ctx: RunContext): Promise<void> {
  if (!ctx.o.scenario.registerDuringWorkload) return;
  const { def, profile } = ctx.plan;
  await new Promise((r) => setTimeout(r, Math.min(2000, profile.durationMs / 4)));
  await registerConnector(ctx.provider.endpoints, def.source);
  ctx.timeline.record({ t: Date.now(), kind: 'note', message: `registered ${def.source.name} during the workload (snapshot under load)` });
}
