import type { AnomalyClass, Verdict } from '../record/anomalies.ts';
import type { RunReport, TopicDuplicates } from '../record/report.ts';
import { witnessText } from '../record/samples.ts';
import type { FaultWindow } from '../record/timeline.ts';
import type { DuplicateExpectation, RegressionExpectation, SlotLagExpectation } from './schema.ts';
import { vacuousFaults, vacuousReason } from './vacuous.ts';

/** What a run must show to pass: the scenario's expectation, plus a zoo entry's failed-task expectation. */
export interface Expectation {
  verdict: Verdict;
  anomalies: readonly AnomalyClass[];
  /** This connector's task must end FAILED, with its trace in the report. */
  failedTask?: 'source' | 'sink';
  /** Budget for the p99 of end-to-end lag outside fault windows (healthy expectations only). */
  lagP99Ms: number | null;
  regressions: RegressionExpectation;
  /** Rows the history must leave for the run to prove anything (default DEFAULT_MIN_ROWS). */
  minRows?: number;
  /** A pattern (case-insensitive) that the signature of one of the report's likely causes must match. */
  diagnosis?: string;
  /** The bound on the slot's largest lag (MB). */
  slotLagMb?: SlotLagExpectation;
  /** Records sent twice on the sink's topics. */
  duplicates?: DuplicateExpectation;
}

/** A run whose history leaves fewer rows than this compares (nearly) empty stores: it cannot pass. */
export const DEFAULT_MIN_ROWS = 10;

/** What the regression watch could look at; `reads` 0 means it never saw a search result. */
export interface WatchSeen {
  products: number;
  reads: number;
  polls: number;
}

/** What a run showed, as the report records it. */
export interface Observed {
  verdict: Verdict;
  counts: Record<AnomalyClass, number>;
  steadyP99: number | null;
  /** What steadyP99 measures: the lag probe (default), or sampled workload ops (a definition's own tables). */
  lagSource?: 'op visibility';
  connectors: RunReport['connectors'];
  /** The connector names of the definition that ran, by role. */
  connectorNames: { source: string; sink: string };
  /** Postgres disagreeing with the history (the check looked at the wrong table, or another writer). */
  setupErrors: number;
  /** Operations that certainly committed. */
  okOps: number;
  /** Why the warm-up failed, when it did. */
  warmUpFailure?: string;
  regressions: number;
  /** The regression watch's coverage; absent when the run had no watch (then regressions are unjudged). */
  watch?: WatchSeen;
  /**
   * The append check, when a table has an append column: documents judged, rows shown going back, rows shown
   * with a list no commit order makes (shapes), and one of those named.
   */
  appends?: { observations: number; regressed: number; shapes: number; example?: string };
  /** Rows the history's committed effects certainly leave (absent in reports from before it was recorded). */
  rowsExpected?: number;
  /** The largest slot-lag sample of the run (bytes); absent when none was taken. */
  slotLagMaxBytes?: number;
  /** The fault windows with the evidence each fault looked for, and when the run started (epoch ms). */
  faults?: { windows: readonly FaultWindow[]; runStart: number };
  /** The signatures of the likely causes the report names. */
  diagnoses?: readonly string[];
  /** Records the sink's topics held twice; null when they could not be read, absent when not counted. */
  topicDuplicates?: Pick<TopicDuplicates, 'records' | 'duplicates' | 'unidentified'> | null;
}

/**
 * The one judge of a run, for scenarios and zoo entries alike. A run never passes when its evidence is void:
 * Postgres disagrees with the history, nothing committed, or what committed leaves fewer rows than the
 * scenario's minimum; nor does a healthy expectation of no regressions pass when the watch never looked
 * (no product watched, or no successful search). Otherwise the verdict is the expected one, every
 * expected anomaly class was seen, an expected FAILED task is there with its trace, regressions are as
 * expected, and a healthy expectation also needs a working warm-up and the steady-state lag within budget.
 */
export function judge(expect: Expectation, seen: Observed): { passed: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (seen.setupErrors > 0)
    reasons.push(
      `setup error: Postgres disagrees with the workload's history for ${seen.setupErrors} product(s) ` +
        `(is the check reading the table the workload wrote? does anything else write to it?)`,
    );
  if (seen.okOps === 0) reasons.push('the workload committed no operation: nothing was tested');
  const minRows = expect.minRows ?? DEFAULT_MIN_ROWS;
  if (seen.okOps > 0 && seen.rowsExpected !== undefined && seen.rowsExpected < minRows)
    reasons.push(
      `the history's committed operations leave ${seen.rowsExpected} row(s), fewer than the ${minRows} ` +
        'this scenario needs to compare (expect.minRows): the run proved nothing',
    );
  // A fault that changed nothing proves nothing: the run is vacuous whatever the stores show.
  if (seen.faults)
    reasons.push(...vacuousFaults(seen.faults.windows).map((v) => vacuousReason(v, seen.faults!.runStart)));
  const healthy = expect.verdict === 'converged' || expect.verdict === 'converged-late';
  if (healthy && seen.warmUpFailure) reasons.push(`warm-up failed: ${seen.warmUpFailure}`);
  if (seen.verdict !== expect.verdict) reasons.push(`verdict ${seen.verdict}, expected ${expect.verdict}`);
  for (const c of expect.anomalies) if ((seen.counts[c] ?? 0) === 0) reasons.push(`expected ${c} anomalies, saw none`);
  if (expect.failedTask) reasons.push(...failedTaskReasons(seen.connectorNames[expect.failedTask], seen.connectors));
  const unjudged = !seen.watch || seen.watch.products === 0 || seen.watch.reads === 0;
  if (expect.regressions === 'none' && seen.regressions === 0 && unjudged)
    reasons.push(
      seen.watch
        ? `regressions unjudged: the watch had ${seen.watch.products} product(s) and ` +
            `${seen.watch.reads} successful search(es) of ${seen.watch.polls}`
        : 'regressions unjudged: no regression watch ran',
    );
  if (expect.diagnosis !== undefined) reasons.push(...diagnosisReasons(expect.diagnosis, seen.diagnoses ?? []));
  // Both watches look at the same rows: the larger count is the rows that went back.
  const regressions = Math.max(seen.regressions, seen.appends?.regressed ?? 0);
  if (expect.regressions === 'none' && regressions > 0)
    reasons.push(`search users saw ${regressions} product(s) go back to an older version during the run`);
  if (seen.appends) reasons.push(...appendReasons(seen.appends));
  if (expect.regressions === 'some' && regressions === 0)
    reasons.push('expected search users to see a product go back to an older version, saw none');
  if (expect.slotLagMb) reasons.push(...slotLagReasons(expect.slotLagMb, seen.slotLagMaxBytes));
  if (expect.duplicates) reasons.push(...duplicateReasons(expect.duplicates, seen.topicDuplicates));
  const budget = expect.lagP99Ms;
  if (expect.verdict === 'converged' && budget !== null) {
    const what = seen.lagSource ?? 'end-to-end';
    if (seen.steadyP99 === null)
      reasons.push(`no ${what} lag sample outside fault windows: the lag budget of ${budget} ms cannot be judged`);
    else if (seen.steadyP99 > budget)
      reasons.push(`steady-state ${what} lag p99 ${seen.steadyP99} ms is over the budget of ${budget} ms`);
  }
  return { passed: reasons.length === 0, reasons };
}

/** What the judge needs of the append check: its findings summed over tables, and one witness to name. */
export function appendsSeen(appends: RunReport['appends']): Observed['appends'] {
  if (appends === undefined) return undefined;
  const regressed = appends.reduce((n, a) => n + (a.byShape.regressed ?? 0), 0);
  const example = appends.flatMap((a) => a.examples).find((e) => e.shape !== 'regressed');
  return {
    observations: appends.reduce((n, a) => n + a.observations, 0),
    regressed,
    shapes: appends.reduce((n, a) => n + a.count, 0) - regressed,
    ...(example ? { example: witnessText(example) } : {}),
  };
}

/** A list no commit order makes fails any run; a check that judged no document proves nothing. */
function appendReasons(a: NonNullable<Observed['appends']>): string[] {
  if (a.observations === 0) return ['update order unjudged: the append check judged no document'];
  if (a.shapes === 0) return [];
  return [
    `update order: search showed ${a.shapes} row(s) with a list of updates no commit order makes` +
      (a.example ? ` (${a.example})` : ''),
  ];
}

/** The slot's largest lag against the bound: a healthy pipeline's ceiling, or the floor a bug must reach. */
function slotLagReasons(bound: SlotLagExpectation, maxBytes: number | undefined): string[] {
  if (maxBytes === undefined) return ['slot lag unjudged: no slot-lag sample was taken'];
  const mb = maxBytes / 1e6;
  const shown = `${mb.toFixed(1)} MB`;
  if ('max' in bound && mb > bound.max)
    return [
      `the replication slot fell ${shown} behind the WAL, over the ${bound.max} MB bound: ` +
        'Postgres keeps all of it until the connector confirms an LSN past it',
    ];
  if ('min' in bound && mb < bound.min)
    return [`expected the replication slot to fall at least ${bound.min} MB behind the WAL, it fell ${shown} at most`];
  return [];
}

function failedTaskReasons(name: string, connectors: RunReport['connectors']): string[] {
  const c = connectors.find((x) => x.name === name);
  if (!c) return [`connector ${name} is not in report.connectors`];
  const failed = c.tasks.find((t) => t.state === 'FAILED');
  if (!failed)
    return [
      `expected a FAILED task of ${name}, report.connectors shows ` +
        `${c.state} / ${c.tasks.map((t) => `${t.id}: ${t.state}`).join(', ') || 'no tasks'}`,
    ];
  if (!failed.trace?.trim())
    return [`task ${failed.id} of ${name} is FAILED but report.connectors has no trace for it`];
  return [];
}

/** A likely cause the run must name: one signature matching the pattern, case-insensitively. */
/** Records sent twice, against the expectation: unjudged when the topics could not be read or carry no LSN. */
function duplicateReasons(want: DuplicateExpectation, seen: Observed['topicDuplicates']): string[] {
  if (!seen) return [`duplicates unjudged: the sink's topics ${seen === null ? 'could not be read' : 'were not read'}`];
  if (seen.unidentified === seen.records)
    return [`duplicates unjudged: none of the topics' ${seen.records} record(s) carries an LSN to tell a repeat by`];
  if (want === 'none' && seen.duplicates > 0)
    return [`the sink's topics held ${seen.duplicates} record(s) twice (same key and LSN): expected none`];
  if (want === 'some' && seen.duplicates === 0)
    return ['expected the fault to make the source send records again (at-least-once), the topics held none twice'];
  return [];
}

function diagnosisReasons(pattern: string, signatures: readonly string[]): string[] {
  const re = new RegExp(pattern, 'i');
  if (signatures.some((s) => re.test(s))) return [];
  const named = signatures.map((s) => `"${s}"`).join(', ') || 'none';
  return [`expected a likely cause matching /${pattern}/, the report names ${named}`];
}

/** The observed side of a recorded report (the zoo re-judges reports with its own expectations). */
export function observedIn(report: RunReport, connectorNames: Observed['connectorNames']): Observed {
  return {
    verdict: report.verdict,
    counts: report.anomalies.counts,
    steadyP99: report.lag.steady?.p99 ?? null,
    connectors: report.connectors,
    connectorNames,
    setupErrors: report.setupErrors?.count ?? 0,
    okOps: report.ops.byOutcome.ok,
    ...(report.warmUpFailure ? { warmUpFailure: report.warmUpFailure } : {}),
    regressions: report.regressions?.count ?? 0,
    ...(report.regressions?.searches !== undefined
      ? {
          watch: {
            products: report.regressions.sampledProducts,
            reads: report.regressions.searches,
            polls: report.regressions.polls ?? report.regressions.searches,
          },
        }
      : {}),
    ...(report.appends ? { appends: appendsSeen(report.appends)! } : {}),
    ...(report.evidence ? { rowsExpected: report.evidence.rowsExpected } : {}),
    ...(report.slotLag ? { slotLagMaxBytes: report.slotLag.maxBytes } : {}),
    faults: { windows: report.timeline, runStart: Date.parse(report.startedAt) },
    diagnoses: (report.diagnoses ?? []).map((d) => d.signature),
    ...(report.topicDuplicates !== undefined ? { topicDuplicates: report.topicDuplicates } : {}),
  };
}
