/** Small statistics for benchmark samples: medians, not means, because the machine is shared and noisy. */

export type Direction = 'max' | 'min';

/** A target from the brief: `max` = the value must stay at or below it (a time), `min` = at or above (a rate). */
export interface Target {
  kind: Direction;
  value: number;
}

export interface Summary {
  n: number;
  median: number | null;
  min: number | null;
  max: number | null;
  /** median / target value (null without a target or a median). */
  ratio: number | null;
  /** Whether the median meets the target (null without a target or a median). */
  meets: boolean | null;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1]!;
}

export function summarise(samples: readonly number[], target?: Target): Summary {
  const finite = samples.filter((x) => Number.isFinite(x));
  const med = median(finite);
  const ratio = target && med !== null ? med / target.value : null;
  const meets = target && med !== null ? (target.kind === 'max' ? med <= target.value : med >= target.value) : null;
  return {
    n: finite.length,
    median: med,
    min: finite.length ? Math.min(...finite) : null,
    max: finite.length ? Math.max(...finite) : null,
    ratio,
    meets,
  };
}

/** Rounds for JSON output: 3 significant decimals below 10, 1 below 1000, integers above. */
export function tidy(x: number | null): number | null {
  if (x === null || !Number.isFinite(x)) return x;
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x);
  if (a >= 10) return Math.round(x * 10) / 10;
  return Math.round(x * 1000) / 1000;
}
