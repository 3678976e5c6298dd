import { describe, expect, it } from 'vitest';
import { quoteTable } from '../stack/pg.ts';
import { normalisePrice, Statements, toProductRow } from './sql.ts';

describe('sql', () => {
  it('quotes table names and refuses anything else', () => {
    expect(quoteTable('products')).toBe('"products"');
    expect(quoteTable('inventory.products')).toBe('"inventory"."products"');
    expect(() => quoteTable('products; DROP TABLE x')).toThrow(/identifier/);
    expect(() => quoteTable('"products"')).toThrow(/identifier/);
  });

  it('uses one named statement per set of updated columns, so unchanged columns are not written', () => {
    const st = new Statements('products');
    const priceOnly = st.forStep({ kind: 'update', product_id: 7, set: { price: '1.00' } });
    expect(priceOnly.name).toBe('oc_wl_update_4');
    expect(priceOnly.text).toMatch(/^UPDATE "products" SET price = \$2 WHERE product_id = \$1 RETURNING/);
    expect(priceOnly.values).toEqual([7, '1.00']);
    const two = st.forStep({ kind: 'update', product_id: 7, set: { price: '2.00', name: 'n' } });
    expect(two.text).toMatch(/SET name = \$2, price = \$3 WHERE/);
    expect(two.values).toEqual([7, 'n', '2.00']);
    const nullDesc = st.forStep({ kind: 'update', product_id: 7, set: { description: null } });
    expect(nullDesc.values).toEqual([7, null]);
    expect(() => st.forStep({ kind: 'update', product_id: 7, set: {} })).toThrow(/sets no column/);
    const ins = st.forStep({
      kind: 'reinsert',
      product_id: 9,
      values: { name: 'a', description: null, price: '0.00' },
    });
    expect(ins.text).toMatch(/ON CONFLICT \(product_id\) DO NOTHING RETURNING/);
    expect(ins.values).toEqual([9, 'a', null, '0.00']);
  });

  it('normalises prices and rows', () => {
    expect(normalisePrice('5')).toBe('5.00');
    expect(normalisePrice('19.9')).toBe('19.90');
    expect(normalisePrice('0019.90')).toBe('19.90');
    expect(normalisePrice('.5')).toBe('0.50');
    expect(normalisePrice('99999999.99')).toBe('99999999.99');
    expect(normalisePrice('1.2300')).toBe('1.23');
    expect(
      toProductRow({ product_id: 3, name: 'x', description: null, price: '1.5', created_at: '1700000000123' }),
    ).toEqual({ product_id: 3, name: 'x', description: null, price: '1.50', created_at: 1700000000123 });
  });
});
