/** One step of the search as far as choosing the next rate goes. */
export interface SearchStep {
  rate: number;
  sustained: boolean;
}

export interface SearchPlan {
  /** First rate, ops/s. */
  from: number;
  /** Highest rate offered. */
  max: number;
  /** Steps between the last sustained and the first failed rate, once one failed. */
  bisections: number;
}

/**
 * The next rate to offer, or null when the search is over: double from `from` until a step is not sustained
 * or `max` is reached (the last doubling is capped at `max`), then halve the interval between the highest
 * sustained rate below the first failure and that failure, `bisections` times (fewer when it gets narrower than
 * 1 op/s). A failure at `from` ends the search: nothing was sustained.
 */
export function nextRate(steps: readonly SearchStep[], plan: SearchPlan): number | null {
  if (steps.length === 0) return plan.from;
  const firstFail = steps.findIndex((s) => !s.sustained);
  if (firstFail < 0) {
    const last = steps[steps.length - 1]!.rate;
    return last >= plan.max ? null : Math.min(last * 2, plan.max);
  }
  if (steps.length - 1 - firstFail >= plan.bisections) return null;
  const { lo, hi } = bracket(steps);
  if (lo === undefined || hi === undefined) return null;
  const mid = Math.round((lo + hi) / 2);
  return mid > lo && mid < hi ? mid : null;
}

/** The highest sustained rate below the lowest failed one, and that failed one. */
export function bracket(steps: readonly SearchStep[]): { lo: number | undefined; hi: number | undefined } {
  const failed = steps.filter((s) => !s.sustained).map((s) => s.rate);
  const hi = failed.length ? Math.min(...failed) : undefined;
  const ok = steps.filter((s) => s.sustained && (hi === undefined || s.rate < hi)).map((s) => s.rate);
  return { lo: ok.length ? Math.max(...ok) : undefined, hi };
}

/** Workers for an offered rate: one per 200 ops/s, at least 2 (the baseline's), at most 16. */
export function concurrencyFor(rate: number): number {
  return Math.min(16, Math.max(2, Math.ceil(rate / 200)));
}
