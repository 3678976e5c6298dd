import { join } from 'node:path';
import type { FaultContext } from '../../faults/fault.ts';
import { createNemesis, type Nemesis } from '../../faults/nemesis.ts';
import type { Observers } from '../../observe/observers.ts';
import type { PipelineDefinition } from '../../pipeline/definition.ts';
import { hasConnectors } from '../../pipeline/kind.ts';
import { registerConnector } from '../../pipeline/lifecycle.ts';
import { HistoryWriter } from '../../record/history-file.ts';
import { info } from '../../util/log.ts';
import { applicationWrites } from '../../workload/after-commit.ts';
import { runWorkload, type WorkloadSummary } from '../../workload/driver.ts';
import { fmtMs } from '../progress.ts';
import type { RunContext } from './context.ts';
import { modelledTables } from './own-tables.ts';

/** The fault schedule, ready to run; from the moment it exists the runner heals it, whatever ends the run. */
export function armFaults(ctx: RunContext): Nemesis {
  const { plan, provider } = ctx;
  const faultCtx: FaultContext = {
    endpoints: provider.endpoints,
    services: provider.services,
    members: provider.members,
    sharedToxiproxy: !provider.exclusive,
    connect: ctx.connect,
    names: plan.names,
    connectors: plan.connectors,
    record: ctx.timeline.record,
  };
  return createNemesis(plan.entries, faultCtx);
}

/** What the workload did, and what the report should say about the application's own writes. */
export interface Workload {
  summary: WorkloadSummary;
  notes: string[];
}

/**
 * The workload, the fault schedule and (for a snapshot under load) the late source registration, side by
 * side, with a progress line. Returns the workload's summary; the nemesis's faults are still to heal.
 */
export async function driveWorkload(
  ctx: RunContext,
  def: PipelineDefinition,
  observers: Observers,
  nemesis: Nemesis,
): Promise<Workload> {
  const { plan } = ctx;
  const ep = ctx.provider.endpoints;
  const tables = modelledTables(def);
  const history = await HistoryWriter.open(join(ctx.runDir, 'history.jsonl'), {
    onEntry: (e) => {
      observers.countOp();
      if (e.outcome === 'ok') observers.trackOp(e);
    },
  });
  const app = applicationWrites(def.pipeline, {
    outboxTable: plan.names.outboxTable,
    esProxiedUrl: ep.esProxiedUrl,
    index: plan.names.index,
  });
  const t0 = Date.now();
  const ticker = setInterval(() => {
    const l = observers.latest();
    const left = Math.max(0, plan.profile.durationMs - (Date.now() - t0));
    const open = nemesis
      .windows()
      .filter((w) => w.end === undefined)
      .map((w) => w.fault);
    ctx.progress.update(
      `  workload  ${history.count ?? ''} ops  lag ${fmtMs(l.probeLagMs)}` +
        `  consumer lag ${l.consumerLag ?? '–'}  slot ${l.slotLagBytes ?? '–'} B` +
        `${open.length ? `  faults: ${open.join(', ')}` : ''}  ${Math.ceil(left / 1000)} s left`,
    );
  }, 500);
  let summary: WorkloadSummary;
  try {
    [summary] = await Promise.all([
      runWorkload({
        pgUrl: ep.pgUrl,
        ...(tables ? { tables: tables.map((t) => t.model) } : { table: def.table }),
        seed: plan.seed,
        profile: plan.profile,
        history,
        signal: ctx.abort.signal,
        app,
      }),
      nemesis.run({ t0, signal: ctx.abort.signal }),
      lateSource(ctx, def),
    ]);
  } finally {
    clearInterval(ticker);
    ctx.progress.done();
    await history.close();
  }
  info(
    `  workload done: ${summary.opsRecorded} ops` +
      ` (${summary.byOutcome.ok} ok, ${summary.byOutcome.failed} failed, ${summary.byOutcome.unknown} unknown)` +
      `, ${summary.opsPerSec.toFixed(0)} ops/s`,
  );
  const w = summary.app;
  const notes: string[] = [];
  if (w && w.failed + w.skipped > 0) {
    const what = w.kind === 'dual-write' ? 'Elasticsearch writes' : 'outbox rows written after the commit';
    const note =
      `the application's ${what}: ${w.written} done,` +
      ` ${w.failed} failed and given up, ${w.skipped}` +
      ` not attempted after a failed or broken-off Postgres transaction` +
      ` (each logged; the operations count as committed)`;
    notes.push(note);
    info(`  ${note}`);
  }
  return { summary, notes };
}

/** Snapshot under load: the source connector is registered a moment after the workload began. */
async function lateSource(ctx: RunContext, def: PipelineDefinition): Promise<void> {
  if (!ctx.o.scenario.registerDuringWorkload || !hasConnectors(def.pipeline)) return;
  const { profile } = ctx.plan;
  await new Promise((r) => setTimeout(r, Math.min(2000, profile.durationMs / 4)));
  await registerConnector(ctx.provider.endpoints, def.source);
  ctx.timeline.record({
    t: Date.now(),
    kind: 'note',
    message: `registered ${def.source.name} during the workload (snapshot under load)`,
  });
}
