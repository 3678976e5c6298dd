import { describe, expect, it } from 'vitest';
import { ANOMALY_CLASSES, type Anomaly, type Comparison } from '../record/anomalies.ts';
import { mergeTableComparisons } from './tables.ts';

function comparison(over: Partial<Comparison> & { some?: Partial<Record<string, number>> }): Comparison {
  const counts = Object.fromEntries(ANOMALY_CLASSES.map((k) => [k, over.some?.[k] ?? 0])) as Comparison['counts'];
  const examples = Object.fromEntries(ANOMALY_CLASSES.map((k) => [k, []])) as unknown as Comparison['examples'];
  const { some: _some, ...rest } = over;
  return { equal: true, pgRows: 0, esDocs: 0, counts, examples, setupErrors: { count: 0, examples: [] }, ...rest };
}

describe('mergeTableComparisons', () => {
  it('is equal only when every table is; totals add up; each table keeps its own part', () => {
    const missing: Anomaly = { class: 'missing', product_id: 7, key: '7', pg: { id: 7 }, es: [], detail: 'gone' };
    const orders = comparison({ equal: false, pgRows: 5, esDocs: 4, some: { missing: 1 }, rowsExpected: 5 });
    orders.examples.missing.push(missing);
    const merged = mergeTableComparisons([
      { table: 'customers', index: 'customers', comparison: comparison({ pgRows: 3, esDocs: 3, rowsExpected: 3 }) },
      { table: 'orders', index: 'orders', comparison: orders },
    ]);
    expect(merged.equal).toBe(false);
    expect([merged.pgRows, merged.esDocs, merged.rowsExpected, merged.counts.missing]).toEqual([8, 7, 8, 1]);
    expect(merged.examples.missing).toEqual([{ ...missing, table: 'orders' }]);
    expect(merged.tables).toEqual([
      {
        table: 'customers',
        index: 'customers',
        equal: true,
        pgRows: 3,
        esDocs: 3,
        counts: {},
        setupErrors: 0,
        rowsExpected: 3,
      },
      {
        table: 'orders',
        index: 'orders',
        equal: false,
        pgRows: 5,
        esDocs: 4,
        counts: { missing: 1 },
        setupErrors: 0,
        rowsExpected: 5,
      },
    ]);
  });

  it('all tables equal: equal; lossy columns and setup errors of every table are kept', () => {
    const a = comparison({
      notCompared: ['a.x'],
      setupErrors: { count: 1, examples: [{ product_id: 1, detail: 'd' }] },
    });
    const merged = mergeTableComparisons([
      { table: 'a', index: 'a', comparison: a },
      { table: 'b', index: 'b', comparison: comparison({ notCompared: ['b.y'] }) },
    ]);
    expect(merged.equal).toBe(true);
    expect(merged.notCompared).toEqual(['a.x', 'b.y']);
    expect(merged.setupErrors).toEqual({ count: 1, examples: [{ product_id: 1, detail: 'd', table: 'a' }] });
  });

  it('a table without rows expected, lossy columns or some classes adds none of them', () => {
    const bare = comparison({ pgRows: 2 });
    delete (bare.examples as Partial<Comparison['examples']>).missing;
    const merged = mergeTableComparisons([
      { table: 'a', index: 'a', comparison: bare },
      { table: 'b', index: 'b', comparison: comparison({ notCompared: ['b.y'] }) },
    ]);
    expect('rowsExpected' in merged).toBe(false);
    expect(merged.notCompared).toEqual(['b.y']);
    expect(merged.examples.missing).toEqual([]);
    expect('rowsExpected' in merged.tables![0]!).toBe(false);
    expect(mergeTableComparisons([{ table: 'a', index: 'a', comparison: bare }]).notCompared).toBeUndefined();
  });

  it('rows expected add up over the tables that expect some', () => {
    const merged = mergeTableComparisons([
      { table: 'a', index: 'a', comparison: comparison({}) },
      { table: 'b', index: 'b', comparison: comparison({ rowsExpected: 4 }) },
      { table: 'c', index: 'c', comparison: comparison({}) },
    ]);
    expect(merged.rowsExpected).toBe(4);
    expect(merged.tables!.map((t) => t.rowsExpected)).toEqual([undefined, 4, undefined]);
  });

  it('refuses no table at all', () => {
    expect(() => mergeTableComparisons([])).toThrow('mergeTableComparisons: no table');
  });
});
