import { ANOMALY_CLASSES, type AnomalyClass, type Comparison, type Verdict } from '../record/anomalies.ts';
import { summariseLag } from '../record/lag-summary.ts';
import type { Regression, RunReport, SinkRun } from '../record/report.ts';
import type { Flap } from '../check/converge.ts';
import type { Sample } from '../record/samples.ts';
import { faultWindows } from '../record/timeline.ts';
import type { TimelineEvent } from '../record/timeline.ts';
import type { WorkloadSummary } from '../workload/driver.ts';
import { appendsSeen, DEFAULT_MIN_ROWS, judge } from './judge.ts';
import type { Scenario } from './schema.ts';
import { pipelineThroughput } from './throughput.ts';
import { vacuousFaults } from './vacuous.ts';

export interface ReportInput {
  runId: string;
  scenario: Scenario;
  seed: number;
  replay: string;
  provider: string;
  connectorsDir: string;
  startedAt: number;
  finishedAt: number;
  verdict: Verdict;
  timeToConvergenceMs: number | null;
  comparison: Comparison;
  workload: WorkloadSummary;
  /** Hash of the planned operation sequence (seed + profile): equal across runs, whatever the timing. */
  workloadHash: string;
  samples: Sample[];
  timeline: TimelineEvent[];
  connectors: RunReport['connectors'];
  /** The definition's connector names, by role (the judge finds an expected FAILED task by them). */
  connectorNames: { source: string; sink: string };
  versions: Record<string, string>;
  notes: string[];
  /** Times the stores were equal and then differed again, before they settled (or not). */
  flaps: Flap[];
  /** Why the warm-up failed, when it did. */
  warmUpFailure?: string;
  /** The convergence check's settle window. */
  settleMs: number;
  /** Successful equal snapshots across the settle window (when the check reports it). */
  settleSnapshots?: number;
  sink?: SinkRun;
  workerNonStock?: RunReport['workerNonStock'];
  diagnoses?: RunReport['diagnoses'];
  deadLetterQueue?: RunReport['deadLetterQueue'];
  /** Records the sink's topics held twice (absent: not counted). */
  topicDuplicates?: RunReport['topicDuplicates'];
}

/** Regressions search users saw, from the doc-watch samples: one per product (its first), up to 10 examples. */
export function regressionsOf(samples: readonly Sample[]): NonNullable<RunReport['regressions']> {
  const seen = new Map<number | string, Regression>();
  let sampledProducts = 0;
  // The watch's coverage: its counters only grow, so the largest of its samples is its last word.
  let searches = 0;
  let polls = 0;
  let unwatched: number | undefined;
  let exhaustive: boolean | undefined;
  let watched = false;
  for (const s of samples) {
    if (s.kind === 'doc-watch') {
      watched = true;
      sampledProducts = Math.max(sampledProducts, s.products);
      searches = Math.max(searches, s.reads);
      polls = Math.max(polls, s.polls ?? s.reads);
      if (s.unwatched !== undefined) unwatched = Math.max(unwatched ?? 0, s.unwatched);
      if (s.exhaustive !== undefined) exhaustive = s.exhaustive;
    }
    if (s.kind !== 'regression') continue;
    // A row of a definition's own tables is told apart by its table and key (product_id is -1 for a uuid key).
    const id = s.table === undefined ? s.product_id : `${s.table}:${s.key}`;
    if (!seen.has(id))
      seen.set(id, {
        product_id: s.product_id,
        ...(s.table !== undefined ? { table: s.table, key: s.key } : {}),
        from: s.from,
        to: s.to,
      });
  }
  const examples = [...seen.values()].slice(0, 10);
  if (!watched) return { count: seen.size, sampledProducts, examples };
  return {
    count: seen.size,
    sampledProducts,
    examples,
    polls,
    searches,
    ...(unwatched !== undefined ? { unwatched } : {}),
    ...(exhaustive !== undefined ? { exhaustive } : {}),
    unjudged: sampledProducts === 0 || searches === 0,
  };
}

/**
 * The append check's findings per table, from its samples: what it judged (its counters only grow, so the
 * largest coverage sample is its last word) and each row it caught, first finding only.
 */
export function appendsOf(samples: readonly Sample[]): RunReport['appends'] {
  const out = new Map<string, NonNullable<RunReport['appends']>[number]>();
  const keys = new Map<string, Set<string>>();
  for (const s of samples) {
    if (s.kind === 'append-watch') {
      const a = out.get(s.table) ?? entry(s.table, s.column);
      a.rows = Math.max(a.rows, s.rows);
      a.observations = Math.max(a.observations, s.observations);
      out.set(s.table, a);
    }
    if (s.kind !== 'append') continue;
    const a = out.get(s.table) ?? entry(s.table, '');
    out.set(s.table, a);
    const seen = keys.get(s.table) ?? new Set();
    keys.set(s.table, seen);
    if (seen.has(s.key)) continue;
    seen.add(s.key);
    a.count++;
    a.byShape[s.shape] = (a.byShape[s.shape] ?? 0) + 1;
    const { kind: _kind, ...witness } = s;
    if (a.examples.length < 10) a.examples.push(witness);
  }
  return out.size === 0 ? undefined : [...out.values()];
}

function entry(table: string, column: string): NonNullable<RunReport['appends']>[number] {
  return { table, column, rows: 0, observations: 0, count: 0, byShape: {}, examples: [] };
}

/** The largest slot-lag sample and when it was taken (the first of equal ones); undefined without samples. */
export function slotLagOf(samples: readonly Sample[]): RunReport['slotLag'] {
  let out: RunReport['slotLag'];
  for (const s of samples)
    if (s.kind === 'slot-lag' && (out === undefined || s.bytes > out.maxBytes)) out = { maxBytes: s.bytes, t: s.t };
  return out;
}

export function buildReport(i: ReportInput): RunReport {
  const windows = faultWindows(i.timeline, i.finishedAt);
  const inFault = (t: number): boolean => windows.some((w) => t >= w.start && t <= w.end);
  const e2e = i.samples.filter((s): s is Extract<Sample, { kind: 'e2e-lag' }> => s.kind === 'e2e-lag');
  const ops = i.samples.filter((s): s is Extract<Sample, { kind: 'op-lag' }> => s.kind === 'op-lag');
  const e2eSummary = summariseLag(e2e.map((s) => s.lagMs));
  const opsSummary = summariseLag(ops.map((s) => s.lagMs));
  // A definition's own tables carry no probe row: their lag is the workload's own ops, commit → searchable.
  const ownTables = i.comparison.tables !== undefined;
  const judged = ownTables ? ops : e2e;
  const steady = summariseLag(judged.filter((s) => !inFault(s.t)).map((s) => s.lagMs));
  const regressions = regressionsOf(i.samples);
  const appends = appendsOf(i.samples);
  const appendSeen = appendsSeen(appends);
  const slotLag = slotLagOf(i.samples);
  const minRows = i.scenario.expect.minRows ?? DEFAULT_MIN_ROWS;
  const rowsExpected = i.comparison.rowsExpected;
  const { passed, reasons } = judge(
    { ...i.scenario.expect, lagP99Ms: i.scenario.budget.lagP99Ms, minRows },
    {
      verdict: i.verdict,
      counts: i.comparison.counts,
      steadyP99: steady.p99,
      ...(ownTables ? { lagSource: 'op visibility' as const } : {}),
      connectors: i.connectors,
      connectorNames: i.connectorNames,
      setupErrors: i.comparison.setupErrors.count,
      okOps: i.workload.byOutcome.ok,
      ...(i.warmUpFailure ? { warmUpFailure: i.warmUpFailure } : {}),
      regressions: regressions.count,
      watch: { products: regressions.sampledProducts, reads: regressions.searches ?? 0, polls: regressions.polls ?? 0 },
      ...(appendSeen ? { appends: appendSeen } : {}),
      ...(rowsExpected !== undefined ? { rowsExpected } : {}),
      ...(slotLag ? { slotLagMaxBytes: slotLag.maxBytes } : {}),
      faults: { windows, runStart: i.startedAt },
      diagnoses: (i.diagnoses ?? []).map((d) => d.signature),
      ...(i.topicDuplicates !== undefined ? { topicDuplicates: i.topicDuplicates } : {}),
    },
  );
  const vacuous = vacuousFaults(windows);
  const counts = Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, i.comparison.counts[c]])) as Record<
    AnomalyClass,
    number
  >;
  const w = i.workload;
  const operatorActions = i.timeline.flatMap((e) =>
    e.kind === 'operator' ? [{ t: e.t, action: e.action, reason: e.reason }] : [],
  );
  const notes = [...reasons.map((r) => `✘ ${r}`), ...i.notes];
  const tp = pipelineThroughput(i.samples);
  const dlq = i.deadLetterQueue;
  if (dlq?.records)
    notes.push(
      `${dlq.records} record(s) went to the sink's dead-letter queue ${dlq.topic}: they never reached Elasticsearch`,
    );
  if (operatorActions.length)
    notes.push(`recovery needed an operator: ${operatorActions.map((a) => a.action).join('; ')}`);
  return {
    schemaVersion: 1,
    runId: i.runId,
    scenario: i.scenario.name,
    description: i.scenario.description,
    seed: i.seed,
    workloadHash: i.workloadHash,
    replay: i.replay,
    provider: i.provider,
    connectorsDir: i.connectorsDir,
    startedAt: new Date(i.startedAt).toISOString(),
    finishedAt: new Date(i.finishedAt).toISOString(),
    durationMs: i.finishedAt - i.startedAt,
    verdict: i.verdict,
    expectedVerdict: i.scenario.expect.verdict,
    expectedAnomalies: i.scenario.expect.anomalies,
    passed,
    timeToConvergenceMs: i.timeToConvergenceMs,
    budget: {
      convergenceMs: i.scenario.budget.convergenceMs,
      lagP99Ms: i.scenario.budget.lagP99Ms,
      settleMs: i.settleMs,
    },
    lag: { ...(ownTables ? opsSummary : e2eSummary), e2e: e2eSummary, ops: opsSummary, steady },
    anomalies: { counts, examples: i.comparison.examples },
    setupErrors: i.comparison.setupErrors,
    flaps: i.flaps.map((f) => ({ equalAtMs: f.equalAtMs, differedAtMs: f.differedAtMs, counts: f.comparison.counts })),
    regressions,
    ...(appends ? { appends } : {}),
    ...(slotLag ? { slotLag } : {}),
    ...(rowsExpected !== undefined ? { evidence: { rowsExpected, minRows } } : {}),
    expectation: {
      verdict: i.scenario.expect.verdict,
      anomalies: i.scenario.expect.anomalies,
      regressions: i.scenario.expect.regressions,
      lagP99Ms: i.scenario.budget.lagP99Ms,
      minRows,
      ...(i.scenario.expect.failedTask ? { failedTask: i.scenario.expect.failedTask } : {}),
      ...(i.scenario.expect.fields ? { fields: i.scenario.expect.fields } : {}),
      ...(i.scenario.expect.slotLagMb ? { slotLagMb: i.scenario.expect.slotLagMb } : {}),
      ...(i.scenario.expect.duplicates ? { duplicates: i.scenario.expect.duplicates } : {}),
      connectorNames: i.connectorNames,
    },
    ...(i.settleSnapshots !== undefined ? { settleSnapshots: i.settleSnapshots } : {}),
    ...(i.warmUpFailure ? { warmUpFailure: i.warmUpFailure } : {}),
    ...(vacuous.length
      ? { vacuous: vacuous.map(({ id, fault, target, missing }) => ({ id, fault, target, missing })) }
      : {}),
    ...(i.sink ? { sink: i.sink } : {}),
    ...(i.workerNonStock ? { workerNonStock: i.workerNonStock } : {}),
    ...(i.diagnoses?.length ? { diagnoses: i.diagnoses } : {}),
    ...(i.deadLetterQueue ? { deadLetterQueue: i.deadLetterQueue } : {}),
    ...(i.topicDuplicates !== undefined ? { topicDuplicates: i.topicDuplicates } : {}),
    ops: {
      total: w.opsRecorded,
      byKind: w.byKind,
      byOutcome: w.byOutcome,
      ratePerSec: Math.round(w.opsPerSec * 10) / 10,
    },
    throughput: tp?.eventsPerSec ?? null,
    timeline: windows,
    operatorActions,
    connectors: i.connectors,
    versions: i.versions,
    final: { pgRows: i.comparison.pgRows, esDocs: i.comparison.esDocs },
    ...(i.comparison.tables ? { tables: i.comparison.tables } : {}),
    // Never silently skipped: a captured column the checker cannot read is named in every report.
    ...(i.comparison.notCompared?.length ? { notCompared: i.comparison.notCompared } : {}),
    notes,
  };
}
