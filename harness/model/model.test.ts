import { describe, expect, expectTypeOf, it } from 'vitest';
import { docOf, product } from '../../test/fixtures/checker.ts';
import { indexReadingOf, ROW_FIELDS } from '../check/mapping.ts';
import { normaliseSource, readSource, sourceMatchesRow } from '../check/normalise.ts';
import { ConfigError } from '../util/errors.ts';
import { tableModelOf, UnsupportedColumnType, type CatalogColumn, type CatalogTable } from './catalog.ts';
import { canonicalJson, codecOf, codecOfType, parsePgArray } from './codecs.ts';
import { canonicalDecimal } from './decimal.ts';
import { formatPgType, pgTypeOf } from './pg-type.ts';
import { PRODUCTS, type ProductColumns, type ProductRow } from './products.ts';
import { rowKey, type Column, type KeyedRow, type TableModel } from './table.ts';

describe('products as a table model', () => {
  it('ProductRow is the keyed row of the products columns', () => {
    expectTypeOf<ProductRow>().toEqualTypeOf<KeyedRow<ProductColumns, 'product_id'>>();
    expectTypeOf<ProductRow['product_id']>().toEqualTypeOf<number>();
  });

  it('the five columns are the fields a products document is explained by', () => {
    expect([...ROW_FIELDS]).toEqual(['product_id', 'name', 'description', 'price', 'created_at']);
    expect(PRODUCTS.columns.map((c) => formatPgType(c.type))).toEqual([
      'integer',
      'character varying(255)',
      'text',
      'numeric(10,2)',
      'timestamp without time zone',
    ]);
  });

  it("each column's codec normalises as the products normalisers always did", () => {
    const row = product(3, { price: '19.90', created_at: Date.UTC(2024, 4, 1) });
    const raw = { ...row, product_id: '3', price: '19.9', created_at: String(row.created_at) };
    const byCodec = Object.fromEntries(
      PRODUCTS.columns.map((c) => [c.name, codecOf(c)!.fromPg(raw[c.name as keyof ProductRow])]),
    );
    expect(byCodec).toEqual(row);
    const nan = codecOf(PRODUCTS.columns[3]!)!;
    expect(nan.fromPg('NaN')).toBe('NaN');
    expect(nan.fromPg(null)).toBeUndefined(); // NOT NULL
    expect(codecOf(PRODUCTS.columns[2]!)!.fromPg(undefined)).toBeNull(); // nullable: absent is null
  });

  it('the default reading is the mapping-less reading of the products table', () => {
    const row = product(1);
    expect(readSource(docOf(row)._source)).toEqual({ ok: true, row });
    expect(indexReadingOf(undefined)).toEqual(indexReadingOf(undefined, [], PRODUCTS));
  });

  it('SQL literals of the products values', () => {
    const lit = (name: string, v: string | number | null) =>
      codecOf(PRODUCTS.columns.find((c) => c.name === name)!)!.literal(v);
    expect(lit('name', "O'Brien")).toBe("'O''Brien'");
    expect(lit('description', null)).toBe('NULL');
    expect(lit('price', '19.90')).toBe('19.90');
    expect(lit('price', 'NaN')).toBe("'NaN'::numeric");
    expect(lit('created_at', Date.UTC(2024, 4, 1, 10, 0, 0, 5))).toBe("'2024-05-01T10:00:00.005'::timestamp");
  });
});

describe('another table through the same checker', () => {
  const orders: TableModel = {
    name: 'orders',
    key: ['order_id'],
    columns: [
      { name: 'order_id', type: { kind: 'uuid' }, nullable: false, default: null, toastable: false },
      {
        name: 'total',
        type: { kind: 'numeric', precision: 12, scale: 4 },
        nullable: false,
        default: null,
        toastable: true,
      },
      {
        name: 'ratio',
        type: { kind: 'numeric', precision: null, scale: null },
        nullable: true,
        default: null,
        toastable: true,
      },
      {
        name: 'tags',
        type: { kind: 'array', element: { kind: 'text' } },
        nullable: true,
        default: null,
        toastable: true,
      },
      { name: 'meta', type: { kind: 'jsonb' }, nullable: true, default: null, toastable: true },
      { name: 'paid', type: { kind: 'bool' }, nullable: true, default: null, toastable: false },
      {
        name: 'at',
        type: { kind: 'time', precision: null },
        nullable: true,
        default: null,
        toastable: false,
        lossy: 'x',
      },
    ],
    foreignKeys: [],
    replicaIdentity: 'default',
  };
  const id = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
  const pgRow = {
    order_id: id,
    total: '12.5000',
    ratio: '1.50',
    tags: '{a,"b c",NULL}',
    meta: '{"b":1,"a":[2]}',
    paid: 't',
  };

  it('normalises a Postgres row column by column; the lossy column is not compared', () => {
    const r = normaliseSource(pgRow, undefined, orders);
    expect(r).toEqual({
      ok: true,
      row: {
        order_id: id,
        total: '12.5000',
        ratio: '1.5',
        tags: '["a","b c",null]',
        meta: '{"a":[2],"b":1}',
        paid: true,
      },
    });
  });

  it('reads a document by the mapping at the column scale, and names the differing column', () => {
    const row = (normaliseSource(pgRow, undefined, orders) as { row: Record<string, string | number | boolean | null> })
      .row;
    const reading = indexReadingOf(
      { properties: { total: { type: 'scaled_float', scaling_factor: 100 } } },
      [],
      orders,
    );
    const doc = { order_id: id, total: 12.5, ratio: 1.5, tags: ['a', 'b c', null], meta: { a: [2], b: 1 }, paid: true };
    expect(sourceMatchesRow(doc, row, reading)).toBe(true);
    expect(readSource({ ...doc, total: 12.5001 }, reading)).toMatchObject({
      ok: true,
      row: { total: '12.5001 (held as 12.5000)' },
    });
    expect(sourceMatchesRow({ ...doc, order_id: id.toUpperCase() }, row, reading)).toBe(false);
    expect(readSource({ ...doc, paid: 'yes' }, reading)).toMatchObject({
      ok: false,
      field: 'paid',
      reason: 'not a boolean',
    });
  });

  it('a composite key is one text per key', () => {
    const t = { ...orders, key: ['order_id', 'paid'] };
    expect(rowKey(t, { order_id: id, paid: true })).toBe(`["${id}",true]`);
    expect(rowKey(orders, { order_id: id })).toBe(id);
  });
});

describe('codecs', () => {
  it('numeric at its scale, without scale, and never through a float', () => {
    expect(canonicalDecimal('12.5', 4)).toBe('12.5000');
    expect(canonicalDecimal('12.50001', 4)).toBeUndefined();
    expect(canonicalDecimal('007', 0)).toBe('7');
    expect(canonicalDecimal('7.00', 0)).toBe('7');
    expect(canonicalDecimal('1.50', null)).toBe('1.5');
    expect(canonicalDecimal('-0.000', null)).toBe('0');
    expect(canonicalDecimal('1e3', null)).toBeUndefined();
  });

  it('bytea, date, timestamptz, enum, arrays, json', () => {
    const bytea = codecOfType({ kind: 'bytea' })!;
    expect(bytea.fromPg(Buffer.from([1, 2, 255]))).toBe('AQL/');
    expect(bytea.fromPg('\\x0102ff')).toBe('AQL/');
    expect(bytea.fromPg('AQL/')).toBe('AQL/'); // its own form (history rows)
    expect(bytea.literal('AQL/')).toBe("'\\x0102ff'::bytea");
    const date = codecOfType({ kind: 'date' })!;
    expect(date.fromPg('2024-02-29')).toBe('2024-02-29');
    expect(date.fromPg('2023-02-29')).toBeUndefined();
    expect(date.fromPg(19_782)).toBe('2024-02-29'); // Debezium's days since the epoch
    const tz = codecOfType({ kind: 'timestamptz', precision: null })!;
    expect(tz.fromPg('2024-05-01 12:00:00.123+02')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 123));
    expect(tz.fromPg(new Date(Date.UTC(2024, 4, 1)))).toBe(Date.UTC(2024, 4, 1));
    const status = codecOfType({ kind: 'enum', name: 'status', labels: ['new', 'Paid'] })!;
    expect(status.fromPg('Paid')).toBe('Paid');
    expect(status.fromPg('paid')).toBeUndefined(); // a case change is another value
    expect(status.literal('new')).toBe(`'new'::"status"`);
    const tags = codecOfType({ kind: 'array', element: { kind: 'text' } })!;
    expect(tags.fromPg('{}')).toBe('[]');
    expect(tags.fromPg('["x"]')).toBe('["x"]');
    expect(tags.literal('[]')).toBe("'{}'::text[]");
    expect(tags.literal('["a",null]')).toBe("ARRAY['a', NULL]::text[]");
    expect(parsePgArray('{"a\\"b",c}')).toEqual(['a"b', 'c']);
    expect(parsePgArray('{{1},{2}}')).toBeUndefined();
    expect(canonicalJson({ b: { d: 1, c: 2 }, a: null })).toBe('{"a":null,"b":{"c":2,"d":1}}');
  });

  it('types without a normaliser have no codec', () => {
    expect(codecOfType({ kind: 'time', precision: null })).toBeUndefined();
    expect(codecOfType({ kind: 'other', name: 'tsvector' })).toBeUndefined();
    expect(codecOfType({ kind: 'array', element: { kind: 'other', name: 'point' } })).toBeUndefined();
  });

  it('typmods decode as Postgres stores them', () => {
    const t = (name: string, typmod: number, array = false) => pgTypeOf({ name, typtype: 'b', typmod, array });
    expect(t('numeric', ((12 << 16) | 4) + 4)).toEqual({ kind: 'numeric', precision: 12, scale: 4 });
    expect(t('numeric', -1)).toEqual({ kind: 'numeric', precision: null, scale: null });
    expect(t('varchar', 259)).toEqual({ kind: 'varchar', length: 255 });
    expect(t('timestamptz', 3)).toEqual({ kind: 'timestamptz', precision: 3 });
    expect(formatPgType(t('int8', -1, true))).toBe('bigint[]');
  });
});

describe('tableModelOf: catalog rows to the model', () => {
  const col = (name: string, typeName: string, over: Partial<CatalogColumn> = {}): CatalogColumn => ({
    name,
    notNull: false,
    typeName,
    typtype: 'b',
    typmod: -1,
    isArray: false,
    default: null,
    identity: '',
    storage: 'x',
    ...over,
  });
  const table = (columns: CatalogColumn[], over: Partial<CatalogTable> = {}): CatalogTable => ({
    schema: 'public',
    name: 't',
    replident: 'd',
    columns,
    primaryKey: ['id'],
    identityKey: [],
    foreignKeys: [],
    ...over,
  });

  it('refuses an unsupported type naming table, column and type (exit 2), or marks it lossy', () => {
    const t = table([col('id', 'int4', { storage: 'p', notNull: true }), col('g', 'tsvector')], { schema: 's' });
    const err = (() => {
      try {
        tableModelOf(t);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnsupportedColumnType);
    expect(err).toMatchObject({ exitCode: 2, table: 's.t', column: 'g', type: 'tsvector' });
    const lossy = tableModelOf(t, new Set(['s.t.g']));
    expect(lossy.columns[1]).toMatchObject({ name: 'g', lossy: 'no normaliser for tsvector' });
    expect(lossy.name).toBe('s.t');
  });

  it('takes the replica identity index as the key when there is no primary key; refuses a lossy key', () => {
    const t = table([col('code', 'text', { notNull: true })], {
      primaryKey: [],
      identityKey: ['code'],
      replident: 'i',
    });
    expect(tableModelOf(t)).toMatchObject({ key: ['code'], replicaIdentity: 'index' });
    const bad = table([col('id', 'tsvector')]);
    expect(() => tableModelOf(bad, new Set(['t.id']))).toThrow(ConfigError);
    expect(() => tableModelOf(table([col('x', 'int4')], { primaryKey: [] }))).toThrow(/has no primary key/);
  });

  it('maps foreign keys, delete rules and TOAST from storage', () => {
    const t = tableModelOf(
      table([col('id', 'int8', { storage: 'p', notNull: true }), col('p', 'int8', { storage: 'p' })], {
        foreignKeys: [
          { name: 'fk', columns: ['p'], refSchema: 'public', refTable: 'parent', refColumns: ['id'], onDelete: 'n' },
        ],
      }),
    );
    expect(t.foreignKeys).toEqual([
      { name: 'fk', columns: ['p'], references: { table: 'parent', columns: ['id'] }, onDelete: 'set null' },
    ]);
    expect(t.columns.map((c: Column) => c.toastable)).toEqual([false, false]);
  });
});
