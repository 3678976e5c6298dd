import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../model/products.ts';
import type { Column, TableModel } from '../model/table.ts';
import { column, tableModel } from '../../test/fixtures/tables.ts';
import { compareKeys, keyOrderOf } from './keys.ts';

// Key columns are NOT NULL unless a test says otherwise.
const col = (name: string, type: Column['type'], nullable = false): Column => column(name, type, nullable);
const table = (key: string[], columns: Column[], idColumn?: string): TableModel => ({
  ...tableModel('t', key, columns),
  ...(idColumn === undefined ? {} : { idColumn }),
});

describe('compareKeys', () => {
  it('orders numbers numerically and texts by code units', () => {
    expect([compareKeys(9, 10), compareKeys(10, 9), compareKeys(3, 3)]).toEqual([-1, 1, 0]);
    expect([compareKeys('10', '9'), compareKeys('b', 'a'), compareKeys('a', 'a')]).toEqual([-1, 1, 0]);
  });
});

describe('keyOrderOf', () => {
  it('builds one order per table', () => {
    const t = table(['id'], [col('id', { kind: 'int8' })]);
    expect(keyOrderOf(t)).toBe(keyOrderOf(t));
    expect(keyOrderOf()).toBe(keyOrderOf(PRODUCTS));
  });

  it.each(['int2', 'int4', 'int8'] as const)('a one-column %s key is numeric', (kind) => {
    const order = keyOrderOf(table(['id'], [col('id', { kind })]));
    expect(order.numeric).toBe(true);
    expect(order.ofRow({ id: 7 })).toBe(7);
    expect(order.ofSource({ id: '7' })).toBe(7);
    expect(order.ofSource({ id: 'x' })).toBeUndefined();
    expect(order.docId(7, { id: 7 })).toBe('7');
  });

  it("products: product_id, read from the row and from a document's source", () => {
    const order = keyOrderOf(PRODUCTS);
    expect([order.numeric, order.name]).toEqual([true, 'product_id']);
    expect(order.ofRow({ product_id: 12 })).toBe(12);
    expect(order.ofSource({ product_id: '12' })).toBe(12);
    expect(order.ofSource({})).toBeUndefined();
  });

  it('refuses a key column that is not a column, or that has no normaliser, naming it', () => {
    expect(() => keyOrderOf(table(['nope'], [col('id', { kind: 'int8' })]))).toThrow(
      't: key column nope is not a column with a normaliser',
    );
    expect(() => keyOrderOf(table(['at'], [col('at', { kind: 'time', precision: null })]))).toThrow(
      't: key column at is not a column with a normaliser',
    );
  });

  it('a one-column text key is its text; a null or absent key is no key', () => {
    const order = keyOrderOf(table(['code'], [col('code', { kind: 'text' }, true)]));
    expect([order.numeric, order.name]).toEqual([false, 'code']);
    expect(order.ofSource({ code: 'a' })).toBe('a');
    expect(order.ofSource({ code: null })).toBeUndefined();
    expect(order.ofSource({})).toBeUndefined();
    expect(order.docId('a', { code: 'a' })).toBe('a');
  });

  it('a composite key is the JSON array of its values; a null part is no key', () => {
    const order = keyOrderOf(table(['a', 'b'], [col('a', { kind: 'int4' }), col('b', { kind: 'text' }, true)]));
    expect([order.numeric, order.name]).toEqual([false, '(a, b)']);
    expect(order.ofSource({ a: 1, b: 'x' })).toBe('[1,"x"]');
    expect(order.ofSource({ a: 1, b: null })).toBeUndefined();
    expect(order.ofSource({ b: 'x' })).toBeUndefined();
  });

  it('an id column names the _id, whatever the key', () => {
    const order = keyOrderOf(table(['id'], [col('id', { kind: 'int8' }), col('doc', { kind: 'text' })], 'doc'));
    expect(order.docId(1, { id: 1, doc: 'eu/1' })).toBe('eu/1');
  });
});
