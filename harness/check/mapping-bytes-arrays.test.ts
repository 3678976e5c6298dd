import { describe, expect, it } from 'vitest';
import type { TableModel } from '../model/table.ts';
import { indexReadingOf } from './mapping.ts';
import { readSource } from './normalise.ts';
import { column as col } from '../../test/fixtures/tables.ts';

// bytea and arrays, read the way Elasticsearch reads them (a field holds any number of values of its type).
const ORDERS: TableModel = {
  name: 'orders',
  key: ['id'],
  columns: [
    { ...col('id', { kind: 'int8' }), nullable: false },
    col('tags', { kind: 'array', element: { kind: 'text' } }),
    col('sizes', { kind: 'array', element: { kind: 'int4' } }),
    col('prices', { kind: 'array', element: { kind: 'numeric', precision: 8, scale: 2 } }),
    col('receipt', { kind: 'bytea' }),
  ],
  foreignKeys: [],
  replicaIdentity: 'default',
};
const row = { id: 1, tags: null, sizes: null, prices: null, receipt: null };
const read = (properties: Record<string, unknown>, doc: Record<string, unknown>) =>
  readSource({ ...row, ...doc }, indexReadingOf({ properties }, [], ORDERS));

describe('bytea through the mapping', () => {
  it('a binary field (or none) holds base64 only: Postgres hex text is no document value', () => {
    for (const props of [{ receipt: { type: 'binary' } }, {}]) {
      expect(read(props, { receipt: 'AAEC' })).toEqual({ ok: true, row: { ...row, receipt: 'AAEC' } });
      expect(read(props, { receipt: '\\x000102' })).toMatchObject({ ok: false, field: 'receipt' });
      expect(read(props, { receipt: 'AAE' })).toMatchObject({ ok: false, reason: /not base64/ });
    }
  });

  it('a keyword holds the text as a term, up to its ignore_above; a number type holds none', () => {
    expect(read({ receipt: { type: 'keyword' } }, { receipt: 'AAEC' })).toMatchObject({ ok: true });
    expect(read({ receipt: { type: 'keyword', ignore_above: 3 } }, { receipt: 'AAEC' })).toMatchObject({
      ok: false,
      reason: /over receipt's ignore_above 3/,
    });
    expect(read({ receipt: { type: 'long' } }, { receipt: 'AAEC' })).toMatchObject({
      ok: false,
      reason: /mapped as long, which holds no text/,
    });
  });
});

describe('arrays through the mapping, element by element', () => {
  it("each element by the field's reading: ignore_above per element, NULL elements kept", () => {
    const keyword = { tags: { type: 'keyword', ignore_above: 5 } };
    expect(read(keyword, { tags: ['a', null, 'bc'] })).toEqual({ ok: true, row: { ...row, tags: '["a",null,"bc"]' } });
    expect(read(keyword, { tags: ['a', 'toolong'] })).toMatchObject({
      ok: false,
      field: 'tags',
      reason: /^element 1: 7 UTF-16 units, over tags's ignore_above 5/,
    });
    expect(read(keyword, { tags: 'a' })).toMatchObject({ ok: false, reason: 'not an array' });
  });

  it('numbers per element by the numeric type: a short rejects 40,000, a long truncates 2.5', () => {
    expect(read({ sizes: { type: 'short' } }, { sizes: [1, 40_000] })).toMatchObject({ ok: false, field: 'sizes' });
    expect(read({ sizes: { type: 'integer' } }, { sizes: [1, 2] })).toEqual({
      ok: true,
      row: { ...row, sizes: '[1,2]' },
    });
    // NUMERIC(8,2) elements in a long field: 2.5 is held as 2, which is no element the row has.
    const r = read({ prices: { type: 'long' } }, { prices: ['2.50'] }) as { ok: boolean; row: Record<string, unknown> };
    expect(r.ok && r.row['prices']).not.toBe('["2.50"]');
    expect(read({ prices: { type: 'double' } }, { prices: ['2.5'] })).toEqual({
      ok: true,
      row: { ...row, prices: '["2.50"]' },
    });
  });

  it('without a mapping, each element by its type: the text array as it is', () => {
    expect(read({}, { tags: ['x'] })).toEqual({ ok: true, row: { ...row, tags: '["x"]' } });
    expect(readSource({ ...row, tags: ['x'] }, indexReadingOf(undefined, [], ORDERS))).toMatchObject({ ok: true });
  });
});
