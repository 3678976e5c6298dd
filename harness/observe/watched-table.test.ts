import { describe, expect, it } from 'vitest';
import { STOCK as STOCK_KEYED } from '../../test/fixtures/stock.ts';
import type { Row, TableModel } from '../model/table.ts';
import type { Effect } from '../record/history.ts';
import { effectDocIds, effectKey } from './watched-table.ts';

const STOCK: TableModel = { ...STOCK_KEYED, idColumn: 'doc_id' };
const effect = (after: Row | null, table = 'stock'): Effect<Row> => ({ product_id: -1, key: '[1,"a"]', table, after });

describe('which document an effect is about', () => {
  it('by key text, or by the id column, remembered for the delete that has no post-state', () => {
    const docId = effectDocIds(STOCK);
    expect(docId(effect(null))).toBeUndefined(); // a delete of a row never seen: no id to look for
    expect(docId(effect({ warehouse: 1, sku: 'a', doc_id: '1/a' }))).toBe('1/a');
    expect(docId(effect(null))).toBe('1/a');
    expect(docId(effect({ warehouse: 1, sku: 'a', doc_id: '1/a' }, 'other'))).toBeUndefined();
    expect(effectKey(STOCK, effect(null))).toBe('[1,"a"]');
    const keyed = effectDocIds({ ...STOCK, idColumn: undefined });
    expect(keyed(effect(null))).toBe('[1,"a"]');
  });
});
