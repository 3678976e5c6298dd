import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectClient } from '../../connect/client.ts';
import { exactlyOnceSource, sinkIsolation, sinkTopics, type PipelineDefinition } from '../../pipeline/definition.ts';
import { hasConnectors } from '../../pipeline/kind.ts';
import { traitsOf } from '../../provider/traits.ts';
import type { SinkChoice } from '../../pipeline/sink-compat.ts';
import { readJsonl } from '../../record/jsonl.ts';
import type { RunReport } from '../../record/report.ts';
import { copyLogSlices } from '../../record/run-dir.ts';
import type { Sample } from '../../record/samples.ts';
import { writeReportFiles } from '../../report/write.ts';
import {
  slotAheadOfOffset,
  snapshotPastSlot,
  type SlotAhead,
  type SnapshotPastSlot,
} from '../../check/debezium-log.ts';
import { diagnose, type Diagnosis } from '../../check/diagnose.ts';
import { countDuplicates } from '../../observe/topic-duplicates.ts';
import { countTombstones } from '../../observe/topic-tombstones.ts';
import { topicRecords } from '../../stack/kafka-admin.ts';
import type { Comparison } from '../../record/anomalies.ts';
import { definitionWorkerSettings, nonStockSettings } from '../../stack/worker-settings.ts';
import type { WorkloadSummary } from '../../workload/driver.ts';
import { buildReport } from '../build-report.ts';
import type { Scenario } from '../schema.ts';
import { partitionedWithoutRoot, partitionsNotFull, slotLost } from './source-facts.ts';
import { clusterNotes } from './cluster-notes.ts';
import type { CheckResult } from './check.ts';
import type { RunContext } from './context.ts';
import type { Interruption } from './interrupt.ts';
import { notChecked, notRun } from './unfinished.ts';
import type { WarmUp } from './warm-up.ts';

/** Final connector and task states, with the (shortened) trace of a failed one. */
async function connectorStates(connect: ConnectClient, names: string[]): Promise<RunReport['connectors']> {
  const out: RunReport['connectors'] = [];
  for (const name of names) {
    const st = await connect.status(name).catch(() => undefined);
    out.push({
      name,
      state: st?.connector.state ?? 'MISSING',
      tasks: (st?.tasks ?? []).map((t) => ({
        id: t.id,
        state: t.state,
        ...(t.trace ? { trace: t.trace.split('\n').slice(0, 200).join('\n') } : {}),
      })),
    });
  }
  return out;
}

/**
 * Source task starts in the run's Connect log slices (a cluster's workers too) that skipped changes: one whose
 * slot was ahead of its offset, one that found no offset and snapshotted past its slot.
 */
function sourceStartsIn(runDir: string): { slotAhead?: SlotAhead; snapshotPastSlot?: SnapshotPastSlot } {
  const dir = join(runDir, 'logs');
  const out: { slotAhead?: SlotAhead; snapshotPastSlot?: SnapshotPastSlot } = {};
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((n) => /^connect(-\d+)?\.log$/.test(n))) {
    const log = readFileSync(join(dir, f), 'utf8');
    out.slotAhead ??= slotAheadOfOffset(log);
    out.snapshotPastSlot ??= snapshotPastSlot(log);
  }
  return out;
}

/** Known signatures in what the check found; zombies are told apart by the tombstones on the sink's topic. */
async function diagnosesOf(
  ctx: RunContext,
  ran: RunOutcome,
  c: Comparison,
  connectors: RunReport['connectors'],
): Promise<Diagnosis[]> {
  const topics = sinkTopics(ran.def);
  const topicTombstones =
    c.counts.zombie > 0 && topics.length === 1
      ? await countTombstones(ctx.provider.endpoints.kafkaBootstrap, topics[0]!)
      : null;
  const indexSample = ran.warmUp?.indexSample;
  const taskTraces = connectors.flatMap((x) => x.tasks.flatMap((t) => (t.trace ? [t.trace] : [])));
  // What the run's statements on the source database answered (postgres.sql faults that committed).
  const sourceStatements = ctx.timeline.events.flatMap((e) =>
    e.kind === 'fault-heal' && e.fault === 'postgres.sql' && e.detail ? [e.detail] : [],
  );
  const behind = c.counts.missing + c.counts.stale + c.counts.zombie > 0;
  const lostSlot = behind ? await slotLost(ctx) : undefined;
  const partitioned = behind ? await partitionedWithoutRoot(ctx) : undefined;
  const notFull = c.counts.corrupt > 0 ? await partitionsNotFull(ctx) : [];
  const starts = behind ? sourceStartsIn(ctx.runDir) : {};
  return diagnose({
    counts: c.counts,
    examples: c.examples,
    indexSample,
    topicTombstones,
    taskTraces,
    sourceStatements,
    ...(lostSlot ? { lostSlot } : {}),
    ...(partitioned ? { partitionedWithoutRoot: partitioned } : {}),
    ...(notFull.length ? { partitionsNotFull: notFull } : {}),
    ...starts,
  });
}

/**
 * The scenario as judged for records the sink's topics hold twice, and what they hold: an exactly-once pipeline
 * is held to none whatever the scenario says; otherwise only a scenario that names an expectation is counted
 * (reading every topic costs seconds).
 */
async function duplicatesJudged(
  ctx: RunContext,
  def: PipelineDefinition,
): Promise<{ scenario: Scenario; topicDuplicates?: RunReport['topicDuplicates']; notes: string[] }> {
  const scenario = ctx.o.scenario;
  const eos = exactlyOnceSource(def);
  const want = eos ? 'none' : scenario.expect.duplicates;
  if (!want || !hasConnectors(def.pipeline)) return { scenario, notes: [] };
  const isolation = sinkIsolation(def);
  const topicDuplicates = await countDuplicates(ctx.provider.endpoints.kafkaBootstrap, sinkTopics(def), isolation);
  const notes = eos
    ? [
        'exactly-once source: the workers write the source records in Kafka transactions and the sink reads ' +
          'committed ones only, so no record may reach the sink twice, even after a hard kill',
      ]
    : [];
  return { scenario: { ...scenario, expect: { ...scenario.expect, duplicates: want } }, topicDuplicates, notes };
}

/**
 * What the phases returned, as the runner assembled it. A part the run never reached (it was interrupted) is
 * missing; `def` is the plan's definition until the register phase returned the one that runs.
 */
export interface RunOutcome {
  def: PipelineDefinition;
  sink?: SinkChoice;
  /** A tables run's workload identity (Registered.workloadHash). */
  workloadHash?: string;
  warmUp?: WarmUp;
  workload?: WorkloadSummary;
  check?: CheckResult;
  /** Things the report should say that are not anomalies, in the order the phases found them. */
  notes: string[];
  interruption?: Interruption;
}

/**
 * Builds the report from what the run recorded and writes report.json and its renderings. A run interrupted
 * before its check gets a partial report: marked `interrupted`, never passed, with what was recorded so far.
 */
export async function writeRunReport(ctx: RunContext, ran: RunOutcome): Promise<RunReport> {
  const { plan, o } = ctx;
  const { def, interruption } = ran;
  const finishedAt = Date.now();
  // A tables run interrupted before its models were read has no planned identity: the driver's, or none.
  const hash = plan.hash ?? ran.workloadHash ?? ran.workload?.workloadHash ?? 'none';
  const workload = ran.workload ?? notRun(plan.seed, hash, finishedAt);
  const check = ran.check ?? notChecked();
  const samplesFile = join(ctx.runDir, 'samples.jsonl');
  const samples = existsSync(samplesFile) ? await readJsonl<Sample>(samplesFile) : [];
  await copyLogSlices(ctx.logMarks, ctx.runDir);
  const dlqTopic = def.sink.config['errors.deadletterqueue.topic.name'];
  const deadLetterQueue = dlqTopic
    ? { topic: dlqTopic, records: await topicRecords(ctx.provider.endpoints.kafkaBootstrap, dlqTopic) }
    : undefined;
  const connectors = hasConnectors(def.pipeline)
    ? await connectorStates(ctx.connect, [plan.connectors.source, plan.connectors.sink])
    : [];
  const diagnoses = await diagnosesOf(ctx, ran, check.comparison, connectors);
  const dup = ran.check ? await duplicatesJudged(ctx, def) : { scenario: o.scenario, notes: [] };
  // A cluster's failovers: which task moved where and when, and what a Postgres failover cut from the stream.
  const cluster = await clusterNotes(
    ctx.runDir,
    ctx.timeline.events,
    check.comparison,
    connectors,
    plan.connectors.source,
  );
  const report = buildReport({
    runId: ctx.runId,
    scenario: dup.scenario,
    seed: plan.seed,
    replay: ctx.replay,
    provider: ctx.provider.kind,
    connectorsDir: def.dir,
    startedAt: ctx.startedAt,
    finishedAt,
    ...check,
    workload,
    workloadHash: hash,
    samples,
    timeline: ctx.timeline.events,
    connectors,
    connectorNames: plan.connectors,
    versions: ctx.provider.versions,
    notes: [...cluster, ...ran.notes, ...dup.notes],
    ...(ran.warmUp?.failure ? { warmUpFailure: ran.warmUp.failure } : {}),
    ...(ran.sink ? { sink: ran.sink } : {}),
    // The harness configures the workers of the stacks it runs; an external environment's are its own.
    ...(traitsOf(ctx.provider).reportsWorkerNonStock
      ? { workerNonStock: [...nonStockSettings(), ...definitionWorkerSettings(def.pipeline.worker)] }
      : {}),
    diagnoses,
    deadLetterQueue,
    ...(dup.topicDuplicates !== undefined ? { topicDuplicates: dup.topicDuplicates } : {}),
  });
  const cut = ran.check ? undefined : interruption;
  if (cut) {
    report.interrupted = { reason: cut.reason, during: cut.during };
    report.passed = false;
    // The judge's reasons would read as findings; nothing was judged.
    report.notes = [
      `interrupted during ${cut.during}: ${cut.reason}.` +
        ` Every fault was healed; the stores were not compared, so the verdict is no finding.`,
      ...report.notes.filter((n) => !n.startsWith('✘ ')),
    ];
  } else if (interruption) {
    report.notes.push(`after the check: ${interruption.reason}`);
  }
  await writeReportFiles(ctx.runDir, report, samples);
  return report;
}
