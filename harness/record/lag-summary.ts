import type { LagSummary } from './report.ts';

/**
 * Nearest-rank percentile of an ascending array: the smallest value such that at least p% of the values are
 * at or below it. Nearest-rank (not interpolation) so every reported number is one that was actually measured.
 */
export function nearestRank(sortedAsc: readonly number[], p: number): number | null {
  if (sortedAsc.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAsc.length));
  return sortedAsc[Math.min(rank, sortedAsc.length) - 1] ?? null;
}

/** p50/p95/p99/max of lag values in ms; non-finite values (a probe that never saw its marker) are ignored. */
export function summariseLag(values: readonly number[]): LagSummary {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50: nearestRank(sorted, 50),
    p95: nearestRank(sorted, 95),
    p99: nearestRank(sorted, 99),
    max: sorted.length === 0 ? null : (sorted[sorted.length - 1] ?? null),
  };
}
