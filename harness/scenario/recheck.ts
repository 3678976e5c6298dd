import { join } from 'node:path';
import { compare } from '../check/compare.ts';
import { buildVersionsAsync } from '../check/versions.ts';
import { ANOMALY_CLASSES, type Comparison, type Verdict } from '../record/anomalies.ts';
import { readHistory } from '../record/history-file.ts';
import type { RunReport } from '../record/report.ts';
import { readSnapshot, type SavedSnapshot } from '../record/snapshot-file.ts';
import { ConfigError } from '../util/errors.ts';

export interface Recheck {
  /** The verdict and the anomaly counts the checker gives today equal the recorded ones. */
  same: boolean;
  recorded: { verdict: Verdict; counts: RunReport['anomalies']['counts']; setupErrors: number };
  now: { verdict: Verdict; counts: Comparison['counts']; setupErrors: number };
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

/** Re-runs today's checker on a run's history and saved snapshot, without a stack. */
export async function recheckRun(
  runDir: string,
  report: RunReport,
  snapshot: SavedSnapshot | undefined = readSnapshot(runDir),
): Promise<Recheck> {
  if (!snapshot)
    throw new ConfigError(
      `${runDir} holds no saved snapshot (snapshot/meta.json): the run predates them`,
      'only runs recorded since snapshots were saved can be re-checked',
    );
  if (!snapshot.pg || !snapshot.es)
    throw new ConfigError(
      `${runDir}: the snapshot kept digests only (${snapshot.omitted ?? 'no rows saved'})`,
      'the stores were too large to keep; re-run the scenario to check it again',
    );
  const versions = await buildVersionsAsync(readHistory(join(runDir, 'history.jsonl')));
  const comparison = await compare({ versions, pg: snapshot.pg, es: snapshot.es, dates: snapshot.dates });
  const now = {
    verdict: verdictFor(report.verdict, comparison.equal),
    counts: comparison.counts,
    setupErrors: comparison.setupErrors.count,
  };
  const recorded = {
    verdict: report.verdict,
    counts: report.anomalies.counts,
    setupErrors: report.setupErrors?.count ?? 0,
  };
  const differences: string[] = [];
  if (now.verdict !== recorded.verdict) differences.push(`verdict ${recorded.verdict} → ${now.verdict}`);
  for (const c of ANOMALY_CLASSES)
    if ((recorded.counts[c] ?? 0) !== now.counts[c])
      differences.push(`${c} ${recorded.counts[c] ?? 0} → ${now.counts[c]}`);
  if (recorded.setupErrors !== now.setupErrors)
    differences.push(`setup errors ${recorded.setupErrors} → ${now.setupErrors}`);
  return { same: differences.length === 0, recorded, now, comparison, differences };
}
