import { describe, expect, it } from 'vitest';
import type { OwnTable } from '../../pipeline/definition.ts';
import { DEFAULT_PROFILE } from '../../workload/profile.ts';
import { ORDERS_MODELS } from '../../workload/tables/orders-example.ts';
import { STOCK } from '../../../test/fixtures/stock.ts';
import type { TableModel } from '../../model/table.ts';
import { takeTableOps } from '../../workload/tables/generate.ts';
import { tableStepsOf } from '../../workload/tables/ops.ts';
import { tablesWorkloadHash, withAppend, withIdColumn, type ModelledTable } from './own-tables.ts';

const TABLES: ModelledTable[] = ORDERS_MODELS.map((model) => ({
  ...({ spec: { name: model.name, index: model.name } } as unknown as OwnTable),
  model,
}));

describe("a tables run's workload identity", () => {
  it('depends on the seed, the profile and the models, never on timing', () => {
    const profile = { ...DEFAULT_PROFILE, durationMs: 5_000 };
    const a = tablesWorkloadHash(7, profile, TABLES);
    expect(tablesWorkloadHash(7, profile, TABLES)).toBe(a);
    expect(tablesWorkloadHash(8, profile, TABLES)).not.toBe(a);
    expect(tablesWorkloadHash(7, { ...profile, durationMs: 6_000 }, TABLES)).not.toBe(a);
    expect(tablesWorkloadHash(7, profile, TABLES.slice(0, 1))).not.toBe(a);
  });
});

describe('the columns a definition names in tables:', () => {
  const stock = STOCK;

  it('id: a NOT NULL compared column becomes the _id; anything else is refused, naming it', () => {
    expect(withIdColumn(stock, undefined)).toBe(stock);
    expect(withIdColumn(stock, 'doc_id').idColumn).toBe('doc_id');
    expect(() => withIdColumn(stock, 'nope')).toThrow(/tables\.stock\.id: stock has no column nope/);
    expect(() => withIdColumn(stock, 'note')).toThrow(/tables\.stock\.id: stock\.note may be NULL/);
    const lossy = { ...stock, columns: stock.columns.map((c) => (c.name === 'doc_id' ? { ...c, lossy: 'x' } : c)) };
    expect(() => withIdColumn(lossy, 'doc_id')).toThrow(/not compared \(lossy\)/);
  });

  it('append: a text[] column outside the key, else refused naming the problem', () => {
    expect(() => withAppend(stock, 'note')).toThrow(/tables\.stock\.append: stock\.note is text, not text\[\]/);
    expect(withAppend(stock, undefined)).toBe(stock);
  });

  it('the workload never writes a generated column, nor the id column (a trigger fills it)', () => {
    const written = (model: TableModel) =>
      new Set(
        takeTableOps(3, DEFAULT_PROFILE, [model], 200)
          .flatMap(tableStepsOf)
          .flatMap((s) => Object.keys(s.kind === 'update' ? s.set : s.kind === 'delete' ? {} : s.values)),
      );
    expect(written(stock)).toEqual(new Set(['warehouse', 'sku', 'qty', 'note']));
    expect(written({ ...stock, idColumn: 'note' })).toEqual(new Set(['warehouse', 'sku', 'qty']));
  });
});
