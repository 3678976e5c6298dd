import { describe, expect, it } from 'vitest';
import { nearestRank, summariseLag } from './lag-summary.ts';

describe('summariseLag', () => {
  it('is all null for no samples', () => {
    expect(summariseLag([])).toEqual({ samples: 0, p50: null, p95: null, p99: null, max: null });
  });

  it('uses nearest rank, so every percentile is a measured value', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    expect(summariseLag(values)).toEqual({ samples: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('handles one sample and small sets', () => {
    expect(summariseLag([7])).toEqual({ samples: 1, p50: 7, p95: 7, p99: 7, max: 7 });
    // ceil(0.5 * 4) = rank 2; ceil(0.95 * 4) = rank 4.
    expect(summariseLag([40, 10, 30, 20])).toMatchObject({ p50: 20, p95: 40, p99: 40, max: 40 });
    expect(summariseLag([1, 2, 3])).toMatchObject({ p50: 2, p95: 3 });
  });

  it('ignores non-finite values and does not mutate its input', () => {
    const input = [5, Number.NaN, 1, Number.POSITIVE_INFINITY, 3];
    expect(summariseLag(input)).toEqual({ samples: 3, p50: 3, p95: 5, p99: 5, max: 5 });
    expect(input[0]).toBe(5);
  });

  it('nearestRank clamps p to the ends', () => {
    expect(nearestRank([1, 2, 3], 0)).toBe(1);
    expect(nearestRank([1, 2, 3], 100)).toBe(3);
    expect(nearestRank([], 50)).toBeNull();
  });
});
