/**
 * Each scenario's time to convergence and lag p99 across the suites kept under reports/, so a regression in
 * recovery time shows on the suite page without diffing reports. Pure: the records are read elsewhere.
 */
import { rowKey, type RowResult, type SuiteRecord } from './model.ts';

export interface TrendPoint {
  suiteId: string;
  createdAt: string;
  timeToConvergenceMs: number | null;
  lagP99Ms: number | null;
  result: RowResult;
}

export interface Trend {
  /** Oldest first; the last point is the current suite's. */
  points: TrendPoint[];
  /** The current figure against the median of the earlier ones, when it is clearly worse. */
  slower: string | null;
  laggier: string | null;
}

/** Points shown per scenario: the current suite and up to this many before it. */
export const TREND_DEPTH = 12;
/** Earlier points needed before a figure is called a regression. */
const MIN_HISTORY = 3;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/**
 * "2.4× the median of 5 earlier suites" when the current value is more than twice the earlier median and at
 * least `floorMs` above it (small figures jitter by more than 2× on a busy machine). A run that never
 * converged after earlier ones did is a regression too.
 */
export function regression(
  earlier: readonly (number | null)[],
  current: number | null,
  floorMs: number,
): string | null {
  const seen = earlier.filter((x): x is number => x !== null);
  if (seen.length < MIN_HISTORY) return null;
  if (current === null)
    return seen.length === earlier.length ? `never, after ${seen.length} earlier suites that did` : null;
  const m = median(seen);
  if (current > 2 * m && current - m >= floorMs)
    return `${(current / Math.max(m, 1)).toFixed(1)}× the median of ${seen.length} earlier suites`;
  return null;
}

/** Earlier suites of the same kind, older than the current one, oldest first. */
export function earlierSuites(current: SuiteRecord, all: readonly SuiteRecord[]): SuiteRecord[] {
  return all
    .filter((s) => s.kind === current.kind && s.id !== current.id && s.createdAt < current.createdAt)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** A trend for every row of the current suite that ran, keyed by rowKey. */
export function trendsFor(current: SuiteRecord, all: readonly SuiteRecord[], depth = TREND_DEPTH): Map<string, Trend> {
  const earlier = earlierSuites(current, all);
  const out = new Map<string, Trend>();
  for (const row of current.rows) {
    if (row.result === 'skipped') continue;
    const key = rowKey(row);
    const points: TrendPoint[] = [];
    for (const s of earlier) {
      const r = s.rows.find((x) => rowKey(x) === key && x.result !== 'skipped');
      if (r)
        points.push({
          suiteId: s.id,
          createdAt: s.createdAt,
          timeToConvergenceMs: r.timeToConvergenceMs,
          lagP99Ms: r.lagP99Ms,
          result: r.result,
        });
    }
    const before = points.slice(-(depth - 1));
    const now: TrendPoint = {
      suiteId: current.id,
      createdAt: current.createdAt,
      timeToConvergenceMs: row.timeToConvergenceMs,
      lagP99Ms: row.lagP99Ms,
      result: row.result,
    };
    out.set(key, {
      points: [...before, now],
      slower: regression(
        before.map((p) => p.timeToConvergenceMs),
        now.timeToConvergenceMs,
        1000,
      ),
      laggier: regression(
        before.map((p) => p.lagP99Ms),
        now.lagP99Ms,
        500,
      ),
    });
  }
  return out;
}
