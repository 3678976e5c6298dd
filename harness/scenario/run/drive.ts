import { join } from 'node:path';
import type { FaultContext } from '../../faults/fault.ts';
import { createNemesis, type Nemesis } from '../../faults/nemesis.ts';
import type { Observers } from '../../observe/observers.ts';
import { hasConnectors } from '../../pipeline/kind.ts';
import { registerConnector } from '../../pipeline/lifecycle.ts';
import { HistoryWriter } from '../../record/history-file.ts';
import { diagnose } from '../../check/diagnose.ts';
import { searchHits } from '../../observe/es-search.ts';
import { topicRecords } from '../../stack/kafka-admin.ts';
import { info } from '../../util/log.ts';
import { applicationWrites } from '../../workload/after-commit.ts';
import { runWorkload, type WorkloadSummary } from '../../workload/driver.ts';
import { fmtMs } from '../progress.ts';
import type { RunContext } from './context.ts';

/**
 * The probe's first marker must come through before the clock starts: the pipeline is flowing. While it waits,
 * the index is looked at every few seconds: documents in a form the pipeline mangled (a Debezium envelope, a
 * schema wrapper) end the wait at once, with the diagnosis, instead of after the full minute.
 */
export async function warmUp(ctx: RunContext, observers: Observers, timeoutMs = 60_000): Promise<void> {
  if (ctx.o.scenario.registerDuringWorkload) return;
  const { esUrl } = ctx.provider.endpoints;
  const index = ctx.plan.names.index;
  const sample = async (): Promise<void> => {
    ctx.indexSample = (await searchHits(esUrl, index, { size: 5 }).catch(() => [])).map((h) => ({
      _id: h._id,
      _source: h._source,
    }));
  };
  const t0 = Date.now();
  let lastLook = t0;
  while (observers.latest().probeVisibleSeq === 0) {
    if (ctx.abort.signal.aborted) return;
    if (Date.now() - t0 > timeoutMs) {
      await sample();
      return failWarmUp(
        ctx,
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the lag probe to see its first marker in Elasticsearch (the index holds ${ctx.indexSample?.length ? 'documents, none of them the marker' : 'no document'})`,
      );
    }
    const failed = Object.entries(observers.latest().connectorStates).filter(
      ([, v]) => v.state === 'FAILED' || v.tasks.some((t) => t.includes('FAILED')),
    );
    if (failed.length)
      return failWarmUp(
        ctx,
        `after ${fmtMs(Date.now() - t0)}, ${failed.map(([name]) => name).join(' and ')} FAILED before anything became searchable (the trace is in the report's connectors)`,
      );
    if (Date.now() - lastLook >= 5000) {
      lastLook = Date.now();
      await sample();
      const found = diagnose({ counts: {}, examples: {}, indexSample: ctx.indexSample });
      if (found.length)
        return failWarmUp(
          ctx,
          `after ${fmtMs(Date.now() - t0)}, the index holds documents the pipeline mangled: ${found.map((d) => d.signature).join('; ')}`,
        );
      const dlq = ctx.plan.def.sink.config['errors.deadletterqueue.topic.name'];
      const dead = dlq && !ctx.indexSample?.length ? await topicRecords(ctx.provider.endpoints.kafkaBootstrap, dlq) : 0;
      if (dead)
        return failWarmUp(
          ctx,
          `after ${fmtMs(Date.now() - t0)}, ${dead} record(s) went to the sink's dead-letter queue ${dlq} and none to Elasticsearch`,
        );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function failWarmUp(ctx: RunContext, why: string): void {
  ctx.warmUpFailure = why;
  ctx.notes.push(`warm-up: ${why}`);
}

/**
 * The workload, the fault schedule and (for a snapshot under load) the late source registration, side by
 * side, with a progress line. Returns the workload's summary and the nemesis, whose faults are still to heal.
 */
export async function driveWorkload(
  ctx: RunContext,
  observers: Observers,
): Promise<{ summary: WorkloadSummary; nemesis: Nemesis }> {
  const { plan, provider } = ctx;
  const ep = provider.endpoints;
  const history = await HistoryWriter.open(join(ctx.runDir, 'history.jsonl'), {
    onEntry: (e) => {
      observers.countOp();
      if (e.outcome === 'ok') observers.trackOp(e);
    },
  });
  const faultCtx: FaultContext = {
    endpoints: ep,
    services: provider.services,
    members: provider.members,
    sharedToxiproxy: !provider.exclusive,
    connect: ctx.connect,
    names: plan.names,
    connectors: plan.connectors,
    record: ctx.timeline.record,
  };
  const nemesis = createNemesis(plan.entries, faultCtx);
  // Known to the runner from here on, so that faults are healed whatever ends the run.
  ctx.nemesis = nemesis;
  const app = applicationWrites(plan.def.pipeline, {
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
      `  workload  ${history.count ?? ''} ops  lag ${fmtMs(l.probeLagMs)}  consumer lag ${l.consumerLag ?? '–'}  slot ${l.slotLagBytes ?? '–'} B${open.length ? `  faults: ${open.join(', ')}` : ''}  ${Math.ceil(left / 1000)} s left`,
    );
  }, 500);
  let summary: WorkloadSummary;
  try {
    [summary] = await Promise.all([
      runWorkload({
        pgUrl: ep.pgUrl,
        table: plan.def.table,
        seed: plan.seed,
        profile: plan.profile,
        history,
        signal: ctx.abort.signal,
        app,
      }),
      nemesis.run({ t0, signal: ctx.abort.signal }),
      lateSource(ctx),
    ]);
  } finally {
    clearInterval(ticker);
    ctx.progress.done();
    await history.close();
  }
  info(
    `  workload done: ${summary.opsRecorded} ops (${summary.byOutcome.ok} ok, ${summary.byOutcome.failed} failed, ${summary.byOutcome.unknown} unknown), ${summary.opsPerSec.toFixed(0)} ops/s`,
  );
  const w = summary.app;
  if (w && w.failed + w.skipped > 0) {
    const what = w.kind === 'dual-write' ? 'Elasticsearch writes' : 'outbox rows written after the commit';
    ctx.notes.push(
      `the application's ${what}: ${w.written} done, ${w.failed} failed and given up, ${w.skipped} not attempted after a failed or broken-off Postgres transaction (each logged; the operations count as committed)`,
    );
    info(`  ${ctx.notes[ctx.notes.length - 1]}`);
  }
  return { summary, nemesis };
}

/** Heals every fault (a fault that fails to heal is noted); returns when the last one healed. */
export async function healAll(ctx: RunContext, nemesis: Nemesis): Promise<number> {
  ctx.healed = true;
  const healed = await nemesis.healAll();
  for (const w of healed.filter((x) => x.error)) ctx.notes.push(`fault ${w.id}: ${w.error}`);
  return Date.now();
}

/** Snapshot under load: the source connector is registered a moment after the workload began. */
async function lateSource(ctx: RunContext): Promise<void> {
  if (!ctx.o.scenario.registerDuringWorkload || !hasConnectors(ctx.plan.def.pipeline)) return;
  const { def, profile } = ctx.plan;
  await new Promise((r) => setTimeout(r, Math.min(2000, profile.durationMs / 4)));
  await registerConnector(ctx.provider.endpoints, def.source);
  ctx.timeline.record({
    t: Date.now(),
    kind: 'note',
    message: `registered ${def.source.name} during the workload (snapshot under load)`,
  });
}
