import { describe, expect, it } from 'vitest';
import type { Sample } from '../record/samples.ts';
import { regressionsOf } from './build-report.ts';

describe('regressionsOf: what the regression watch covered reaches the judge', () => {
  it('carries the watch’s searches and polls (their largest sample), so a watch that looked is judged', () => {
    const samples: Sample[] = [
      { t: 1, kind: 'doc-watch', products: 1, reads: 1, polls: 1, unwatched: 3, exhaustive: false },
      { t: 2, kind: 'doc-watch', products: 50, reads: 79, polls: 81, unwatched: 623, exhaustive: false },
    ];
    expect(regressionsOf(samples)).toEqual({
      count: 0,
      sampledProducts: 50,
      examples: [],
      polls: 81,
      searches: 79,
      unwatched: 623,
      exhaustive: false,
      unjudged: false,
    });
  });

  it('says unjudged when no search succeeded, and carries nothing of a watch that never reported', () => {
    const failed: Sample[] = [{ t: 1, kind: 'doc-watch', products: 5, reads: 0, polls: 40 }];
    expect(regressionsOf(failed)).toMatchObject({ searches: 0, polls: 40, unjudged: true });
    expect(regressionsOf([])).toEqual({ count: 0, sampledProducts: 0, examples: [] });
  });

  it("counts each row of a definition's own tables once, by table and key (not by product_id -1)", () => {
    const v = (n: number) => ({ version: n, seq: n, t: n });
    const reg = (table: string, key: string) =>
      ({ t: 1, kind: 'regression', product_id: -1, table, key, from: v(2), to: v(1) }) as const;
    const r = regressionsOf([reg('orders', 'a'), reg('orders', 'b'), reg('orders', 'a'), reg('lines', 'a')]);
    expect(r.count).toBe(3);
    expect(r.examples.map((x) => `${x.table}:${x.key}`)).toEqual(['orders:a', 'orders:b', 'lines:a']);
  });
});
