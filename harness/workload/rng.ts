import fc from 'fast-check';

/**
 * Captures the seeded random source fast-check itself would hand to arbitraries for `seed`. Drawing from one
 * long-lived `fc.Random` lets the generator stream millions of values from a single seed, where `fc.sample`
 * would need the count up front (and `fc.gen` keeps every drawn value for reporting, so it grows without bound).
 */
class CaptureRandom extends fc.Arbitrary<fc.Random> {
  override generate(mrng: fc.Random): fc.Value<fc.Random> {
    return new fc.Value(mrng.clone(), undefined);
  }
  override canShrinkWithoutContext(_value: unknown): _value is fc.Random {
    return false;
  }
  override shrink(): fc.Stream<fc.Value<fc.Random>> {
    return fc.Stream.nil();
  }
}

export function seededRandom(seed: number): fc.Random {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${seed}`);
  const [mrng] = fc.sample(new CaptureRandom(), { seed, numRuns: 1 });
  if (!mrng) throw new Error('fast-check returned no sample');
  return mrng;
}

/** Draws one value of `arb` (unbiased: edge cases come from explicit weights, not fast-check's bias). */
export function draw<T>(arb: fc.Arbitrary<T>, mrng: fc.Random): T {
  return arb.generate(mrng, undefined).value;
}

/** True with probability p (resolution 1e-6, integer-only so it is identical on every platform). */
export function chance(mrng: fc.Random, p: number): boolean {
  if (p <= 0) return false;
  if (p >= 1) return true;
  return mrng.nextInt(0, 999_999) < Math.round(p * 1_000_000);
}

/**
 * Index of a weight chosen proportionally, or null when all are 0 (integer draws, as chance(), so the choice
 * is the same on every platform).
 */
export function pickWeighted(mrng: fc.Random, weights: readonly number[]): number | null {
  let total = 0;
  for (const w of weights) total += w;
  if (total <= 0) return null;
  let r = (mrng.nextInt(0, 999_999) / 1_000_000) * total;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (w > 0 && r < w) return i;
    r -= w;
  }
  // Rounding can leave r a hair above the last weight: take the last non-zero one.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
  return null;
}
