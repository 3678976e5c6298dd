import { describe, expect, it } from 'vitest';
import { chance, pickWeighted, seededRandom } from './rng.ts';

describe('seeded draws', () => {
  it('the same seed gives the same stream', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const draws = (r: typeof a): number[] => Array.from({ length: 20 }, () => r.nextInt(0, 1000));
    expect(draws(a)).toEqual(draws(b));
  });

  it('chance: never at 0, always at 1', () => {
    const r = seededRandom(1);
    for (let i = 0; i < 100; i++) {
      expect(chance(r, 0)).toBe(false);
      expect(chance(r, 1)).toBe(true);
    }
  });
});

describe('pickWeighted', () => {
  it('null when every weight is 0 or there are none', () => {
    const r = seededRandom(3);
    expect(pickWeighted(r, [])).toBeNull();
    expect(pickWeighted(r, [0, 0])).toBeNull();
  });

  it('never picks a zero weight, and picks in proportion to the weights', () => {
    const r = seededRandom(5);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[pickWeighted(r, [1, 0, 3, 0])!]!++;
    expect(counts[1]).toBe(0);
    expect(counts[3]).toBe(0);
    // 1:3 within a few percent over 20,000 draws.
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.7);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.3);
  });

  it('a single non-zero weight is always the pick', () => {
    const r = seededRandom(9);
    for (let i = 0; i < 100; i++) expect(pickWeighted(r, [0, 0, 0.001])).toBe(2);
  });
});
