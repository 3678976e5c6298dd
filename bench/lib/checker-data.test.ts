import { describe, expect, it } from 'vitest';
import { benchCompare } from './checker-data.ts';

describe('benchCompare', () => {
  it('finds exactly the anomalies it planted, through sync and async streams', async () => {
    for (const mode of [false, true]) {
      const r = await benchCompare(60_000, { async: mode });
      expect(r.comparison.counts).toEqual({
        missing: 2,
        zombie: 2,
        stale: 2,
        corrupt: 2,
        duplicate: 2,
        'wrong-id': 0,
        'unexpected-field': 0,
      });
      expect(r.comparison.examples.stale.map((a) => a.product_id)).toEqual([3, 30_003]);
      expect(r.comparison.examples.zombie.map((a) => a.product_id)).toEqual([50, 30_050]);
      expect(r.comparison.pgRows).toBe(60_000 - 60_000 / 50);
    }
  });

  it('compares equal when nothing is planted', async () => {
    const r = await benchCompare(10_000, { anomalies: false });
    expect(r.comparison.equal).toBe(true);
    expect(r.versions).toBe(10_000 + Math.floor(10_000 / 3) + 10_000 / 50);
  });
});
