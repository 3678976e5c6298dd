import { join } from 'node:path';
import { compare } from '../check/compare.ts';
import { indexReadingOf } from '../check/mapping.ts';
import { mergeTableComparisons } from '../check/tables.ts';
import { buildVersionsAsync, type VersionsIndex } from '../check/versions.ts';
import type { TableModel } from '../model/table.ts';
import { ANOMALY_CLASSES, type Comparison, type Verdict } from '../record/anomalies.ts';
import { readHistory } from '../record/history-file.ts';
import type { RunReport } from '../record/report.ts';
import { DamagedRunDir, readSnapshot, type SavedSnapshot } from '../record/snapshot-file.ts';
import { ConfigError } from '../util/errors.ts';
import { DEFAULT_MIN_ROWS, judge, observedIn, type Expectation } from './judge.ts';

export interface Recheck {
  /** The verdict, the anomaly counts and the pass/fail judgement today's checker gives equal the recorded ones. */
  same: boolean;
  recorded: { verdict: Verdict; counts: RunReport['anomalies']['counts']; setupErrors: number; passed: boolean };
  now: { verdict: Verdict; counts: Comparison['counts']; setupErrors: number; passed: boolean; reasons: string[] };
  comparison: Comparison;
  differences: string[];
}

/**
 * The verdict a recorded comparison supports today. Equality is what the saved snapshot decides; its timing
 * (within the budget or after it, a flap before it) is the recorded run's, which no snapshot can re-measure.
 */
function verdictFor(recorded: Verdict, equal: boolean): Verdict {
  if (equal) return recorded === 'diverged' ? 'converged' : recorded;
  return recorded === 'flapped' ? 'flapped' : 'diverged';
}

/** The expectation a report was judged by (reports from before it was recorded: what they kept of it). */
function expectationOf(report: RunReport): { expect: Expectation; names: { source: string; sink: string } } {
  const e = report.expectation;
  if (e) return { expect: { ...e }, names: e.connectorNames };
  const verdict = report.expectedVerdict ?? 'converged';
  return {
    expect: {
      verdict,
      anomalies: report.expectedAnomalies ?? [],
      regressions: verdict === 'converged' ? 'none' : 'any',
      lagP99Ms: report.budget.lagP99Ms,
      minRows: DEFAULT_MIN_ROWS,
    },
    names: { source: '', sink: '' },
  };
}

/** One saved snapshot compared again, its documents read through its raw mapping by today's rules. */
function compareSaved(
  s: SavedSnapshot,
  versions: VersionsIndex,
  fields: readonly string[],
  model?: TableModel,
): Promise<Comparison> {
  const reading = indexReadingOf(s.mapping, fields, model);
  return compare({ versions, pg: s.pg!, es: s.es!, reading });
}

function damaged(file: string, problem: string): ConfigError {
  return new ConfigError(
    `damaged run directory: ${file}: ${problem}`,
    'the run directory is not what the run wrote (truncated, edited or partly copied); re-run the scenario',
  );
}

/**
 * Re-runs today's checker on a run's history and saved snapshot, without a stack, and re-judges the whole
 * run with it: the comparison (with the reading derived again from the raw mapping), then the judge (budgets,
 * expected classes, regressions, the evidence minimum), against what report.json recorded. Every file is
 * first checked against the digests and counts the run wrote: a damaged directory is a ConfigError naming the
 * file, never a "checker change".
 */
export async function recheckRun(runDir: string, report: RunReport, snapshot?: SavedSnapshot): Promise<Recheck> {
  try {
    snapshot ??= readSnapshot(runDir);
  } catch (e) {
    if (e instanceof DamagedRunDir) throw damaged(e.file, e.problem);
    throw e;
  }
  if (!snapshot)
    throw new ConfigError(
      `${runDir} holds no saved snapshot (snapshot/meta.json): the run predates them`,
      'only runs recorded since snapshots were saved can be re-checked',
    );
  for (const s of snapshot.tables?.map((t) => t.snapshot) ?? [snapshot]) {
    if (!s.pg || !s.es)
      throw new ConfigError(
        `${runDir}: the snapshot kept digests only (${s.omitted ?? 'no rows saved'})`,
        'the stores were too large to keep; re-run the scenario to check it again',
      );
    if (s.mapping === undefined)
      throw new ConfigError(
        `${join(runDir, 'snapshot', 'meta.json')} holds no raw index mapping (the run predates them)`,
        'only runs that kept the mapping can be read again by today’s rules; re-run the scenario',
      );
  }
  if (report.final && (report.final.pgRows !== snapshot.pgRows || report.final.esDocs !== snapshot.esDocs))
    throw damaged(
      join(runDir, 'report.json'),
      `final sizes ${report.final.pgRows} rows / ${report.final.esDocs} documents, ` +
        `the snapshot holds ${snapshot.pgRows} / ${snapshot.esDocs}`,
    );
  const history = (): ReturnType<typeof readHistory> => readHistory(join(runDir, 'history.jsonl'));
  const comparison = snapshot.tables
    ? mergeTableComparisons(
        await Promise.all(
          snapshot.tables.map(async (t) => ({
            table: t.table,
            index: t.index,
            comparison: await compareSaved(t.snapshot, await buildVersionsAsync(history(), t.model), t.fields, t.model),
          })),
        ),
      )
    : await compareSaved(snapshot, await buildVersionsAsync(history()), report.expectation?.fields ?? []);
  const verdict = verdictFor(report.verdict, comparison.equal);

  const { expect, names } = expectationOf(report);
  const observed = {
    ...observedIn(report, names),
    verdict,
    counts: comparison.counts,
    setupErrors: comparison.setupErrors.count,
    ...(comparison.rowsExpected !== undefined ? { rowsExpected: comparison.rowsExpected } : {}),
  };
  // A zoo entry's failed-task expectation needs its connector names, which older reports do not keep.
  const judged = judge(names.source ? expect : { ...expect, failedTask: undefined }, observed);
  const now = {
    verdict,
    counts: comparison.counts,
    setupErrors: comparison.setupErrors.count,
    passed: judged.passed,
    reasons: judged.reasons,
  };
  const recorded = {
    verdict: report.verdict,
    counts: report.anomalies.counts,
    setupErrors: report.setupErrors?.count ?? 0,
    passed: report.passed,
  };
  const differences: string[] = [];
  if (now.verdict !== recorded.verdict) differences.push(`verdict ${recorded.verdict} → ${now.verdict}`);
  for (const c of ANOMALY_CLASSES)
    if ((recorded.counts[c] ?? 0) !== now.counts[c])
      differences.push(`${c} ${recorded.counts[c] ?? 0} → ${now.counts[c]}`);
  if (recorded.setupErrors !== now.setupErrors)
    differences.push(`setup errors ${recorded.setupErrors} → ${now.setupErrors}`);
  if (recorded.passed !== now.passed)
    differences.push(
      `${recorded.passed ? 'passed' : 'failed'} → ${now.passed ? 'passed' : `failed (${now.reasons.join('; ')})`}`,
    );
  return { same: differences.length === 0, recorded, now, comparison, differences };
}
