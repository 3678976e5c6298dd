import { describe, expect, it } from 'vitest';
import { PRODUCTS } from '../model/products.ts';
import type { TableModel } from '../model/table.ts';
import {
  DEFAULT_INDEX_READING,
  defaultReading,
  elementKindOf,
  indexReadingOf,
  readingKindOf,
  tableReadingOf,
  type FieldReading,
} from './mapping.ts';
import { DEFAULT_DATE_READING } from './timestamps.ts';
import { column as col } from '../../test/fixtures/tables.ts';

// The readings themselves, column by column: what indexReadingOf makes of each kind of mapping.
const ALL: TableModel = {
  name: 'all',
  key: ['id'],
  columns: [
    col('id', { kind: 'int8' }),
    col('n', { kind: 'int4' }),
    col('t', { kind: 'text' }),
    col('v', { kind: 'varchar', length: null }),
    col('c', { kind: 'bpchar', length: 3 }),
    col('u', { kind: 'uuid' }),
    col('e', { kind: 'enum', name: 'mood', labels: ['ok'] }),
    col('p', { kind: 'numeric', precision: 10, scale: 2 }),
    col('ts', { kind: 'timestamp', precision: null }),
    col('tz', { kind: 'timestamptz', precision: null }),
    col('d', { kind: 'date' }),
    col('b', { kind: 'bool' }),
    col('j', { kind: 'json' }),
    col('jb', { kind: 'jsonb' }),
    col('f4', { kind: 'float4' }),
    col('f8', { kind: 'float8' }),
    col('s', { kind: 'int2' }),
    col('by', { kind: 'bytea' }),
    col('tags', { kind: 'array', element: { kind: 'text' } }),
    col('docs', { kind: 'array', element: { kind: 'jsonb' } }),
    col('tm', { kind: 'time', precision: null }),
  ],
  foreignKeys: [],
  replicaIdentity: 'default',
};
const column = (name: string) => ALL.columns.find((c) => c.name === name)!;

/** The reading of column `name` when the index maps its field as `m`. */
function readingOf(name: string, m: Record<string, unknown>): FieldReading | undefined {
  return tableReadingOf(ALL, { [name]: m }).columns[name];
}

describe('readingKindOf: the kind of reading each PG type gets', () => {
  it.each([
    ['id', 'key'],
    ['n', 'integer'],
    ['s', 'integer'],
    ['t', 'text'],
    ['v', 'text'],
    ['c', 'text'],
    ['u', 'identifier'],
    ['e', 'identifier'],
    ['p', 'number'],
    ['ts', 'date'],
    ['tz', 'date'],
    ['d', 'day'],
    ['b', 'boolean'],
    ['j', 'json'],
    ['jb', 'json'],
    ['f4', 'float'],
    ['f8', 'float'],
    ['by', 'bytes'],
    ['tags', 'array'],
    ['docs', 'array'],
    ['tm', 'exact'],
  ])('%s → %s', (name, kind) => {
    expect(readingKindOf(ALL, column(name))).toBe(kind);
  });

  it.each([
    [{ kind: 'text' }, 'text'],
    [{ kind: 'uuid' }, 'identifier'],
    [{ kind: 'numeric', precision: 8, scale: 2 }, 'number'],
    [{ kind: 'int4' }, 'integer'],
    [{ kind: 'float8' }, 'float'],
    [{ kind: 'bool' }, 'boolean'],
    [{ kind: 'date' }, 'day'],
    [{ kind: 'timestamptz', precision: null }, 'date'],
    [{ kind: 'jsonb' }, 'json'],
    [{ kind: 'bytea' }, 'bytes'],
  ] as const)('an array of %j is read element by element as %s', (element, kind) => {
    const c = col('a', { kind: 'array', element });
    expect(readingKindOf(ALL, c)).toBe('array');
    expect(elementKindOf(ALL, c)).toBe(kind);
  });

  it('an array of a type read exactly is read exactly; a column that is no array has no element kind', () => {
    expect(readingKindOf(ALL, col('a', { kind: 'array', element: { kind: 'time', precision: null } }))).toBe('exact');
    expect(elementKindOf(ALL, column('docs'))).toBe('json');
    expect(elementKindOf(ALL, column('t'))).toBeUndefined();
  });
});

describe('defaultReading: no mapping known', () => {
  it.each([
    ['text', { ignoreAbove: null, limitField: null }],
    ['identifier', { ignoreAbove: null, limitField: null }],
    ['number', { kind: 'decimal', ignoreMalformed: false }],
    ['integer', { kind: 'decimal', ignoreMalformed: false }],
    ['float', { kind: 'decimal', ignoreMalformed: false }],
    ['date', DEFAULT_DATE_READING],
    ['day', DEFAULT_DATE_READING],
    ['boolean', { bool: 'boolean' }],
    ['json', { json: 'either' }],
    ['bytes', { binary: true }],
    ['key', { exact: true }],
    ['exact', { exact: true }],
  ] as const)('%s → %j', (kind, reading) => {
    expect(defaultReading(kind)).toStrictEqual(reading);
  });

  it("an array's is its element kind's", () => {
    expect(defaultReading('array', 'text')).toStrictEqual({ element: { ignoreAbove: null, limitField: null } });
    expect(defaultReading('array', 'boolean')).toStrictEqual({ element: { bool: 'boolean' } });
    expect(defaultReading('array')).toStrictEqual({ element: { exact: true } });
  });
});

describe('tableReadingOf and indexReadingOf', () => {
  it('no mapping: every column its default reading; products carry no table, other tables theirs', () => {
    const r = indexReadingOf(undefined, [], ALL);
    expect(r.table).toBe(ALL);
    expect(r.columns['tags']).toStrictEqual({ element: { ignoreAbove: null, limitField: null } });
    expect(r.columns['b']).toStrictEqual({ bool: 'boolean' });
    expect(DEFAULT_INDEX_READING).not.toHaveProperty('table');
    expect(indexReadingOf({ properties: {} })).not.toHaveProperty('table');
  });

  it('declares no field unless told', () => {
    expect([...tableReadingOf(ALL, undefined).declared]).toEqual([]);
    expect([...indexReadingOf(undefined).declared]).toEqual([]);
    expect([...indexReadingOf(undefined, ['__deleted']).declared]).toEqual(['__deleted']);
  });

  it('reads `{ properties }`, the GET _mapping body `{ mappings: { properties } }`, and nothing else', () => {
    const keyword = { name: { type: 'keyword', ignore_above: 5 } };
    const limited = { ignoreAbove: 5, limitField: 'name' };
    const none = { ignoreAbove: null, limitField: null };
    expect(indexReadingOf({ properties: keyword }).columns['name']).toStrictEqual(limited);
    expect(indexReadingOf({ mappings: { properties: keyword } }).columns['name']).toStrictEqual(limited);
    expect(indexReadingOf({ mappings: null, properties: keyword }).columns['name']).toStrictEqual(limited);
    expect(indexReadingOf({ mappings: 'x', properties: keyword }).columns['name']).toStrictEqual(limited);
    for (const raw of [null, undefined, 'x', { properties: null }, { properties: 'x' }, { mappings: {} }])
      expect(indexReadingOf(raw).columns['name']).toStrictEqual(none);
  });

  it("only the mapping's own properties are fields: an inherited one is not", () => {
    const props = Object.create({ t: { type: 'long' } }) as Record<string, Record<string, unknown>>;
    expect(tableReadingOf(ALL, props).columns['t']).toStrictEqual({ ignoreAbove: null, limitField: null });
  });

  it('a key or a time is read exactly, whatever its mapping', () => {
    for (const name of ['id', 'tm']) expect(readingOf(name, { type: 'keyword' })).toStrictEqual({ exact: true });
  });

  it('an array of jsonb is read element by element as the field holds JSON', () => {
    expect(readingOf('docs', { type: 'keyword' })).toStrictEqual({ element: { json: 'text' } });
    expect(readingOf('docs', { type: 'flattened' })).toStrictEqual({ element: { json: 'value' } });
  });

  it("an array's field is read by its element's reading", () => {
    expect(readingOf('tags', { type: 'keyword', ignore_above: 4 })).toStrictEqual({
      element: { ignoreAbove: 4, limitField: 'tags' },
    });
  });
});

describe('text fields', () => {
  it.each(['text', 'keyword', 'match_only_text', 'wildcard'])('%s holds text', (type) => {
    expect(readingOf('t', { type })).toStrictEqual({ ignoreAbove: null, limitField: null });
  });

  it('no type (or no mapping) holds text without a limit', () => {
    expect(readingOf('t', { index: false })).toStrictEqual({ ignoreAbove: null, limitField: null });
  });

  it('any other type holds none, and says so', () => {
    expect(readingOf('t', { type: 'long' })).toStrictEqual({
      ignoreAbove: null,
      limitField: null,
      unreadable: 't is mapped as long, which holds no text',
    });
  });

  it("a keyword's ignore_above is the limit; a text field's or a missing or unreadable one is none", () => {
    expect(readingOf('t', { type: 'keyword', ignore_above: 10 })).toStrictEqual({ ignoreAbove: 10, limitField: 't' });
    expect(readingOf('t', { type: 'keyword', ignore_above: '10' })).toStrictEqual({ ignoreAbove: 10, limitField: 't' });
    expect(readingOf('t', { type: 'text', ignore_above: 10 })).toStrictEqual({ ignoreAbove: null, limitField: null });
    expect(readingOf('t', { type: 'keyword', ignore_above: 'x' })).toStrictEqual({
      ignoreAbove: null,
      limitField: null,
    });
  });

  it('the smallest limit of the field and its keyword sub-fields wins, the first of equal ones', () => {
    const sub = (ignore_above?: number) => ({
      type: 'keyword',
      ...(ignore_above === undefined ? {} : { ignore_above }),
    });
    const fields = (f: Record<string, unknown>) => readingOf('t', { type: 'text', fields: f });
    expect(fields({ a: sub(20), b: sub(10) })).toStrictEqual({ ignoreAbove: 10, limitField: 't.b' });
    expect(fields({ a: sub(10), b: sub(20) })).toStrictEqual({ ignoreAbove: 10, limitField: 't.a' });
    expect(fields({ a: sub(), b: { type: 'text', ignore_above: 3 } })).toStrictEqual({
      ignoreAbove: null,
      limitField: null,
    });
    expect(readingOf('t', { type: 'keyword', ignore_above: 10, fields: { a: sub(10) } })).toStrictEqual({
      ignoreAbove: 10,
      limitField: 't',
    });
    expect(readingOf('t', { type: 'keyword', ignore_above: 10, fields: { a: sub(), b: sub(5) } })).toStrictEqual({
      ignoreAbove: 5,
      limitField: 't.b',
    });
    expect(readingOf('t', { type: 'text', fields: null })).toStrictEqual({ ignoreAbove: null, limitField: null });
  });
});

describe('uuid and enum fields: looked up whole', () => {
  const analysed = (type: string) =>
    `u is mapped as ${type} (analysed) without a keyword: no exact lookup finds the value`;

  it('a keyword or wildcard field, or a keyword sub-field, finds the value', () => {
    const none = { ignoreAbove: null, limitField: null };
    expect(readingOf('u', { type: 'keyword' })).toStrictEqual(none);
    expect(readingOf('u', { type: 'wildcard' })).toStrictEqual(none);
    expect(readingOf('u', { type: 'text', fields: { raw: { type: 'keyword' } } })).toStrictEqual(none);
  });

  it('an analysed field without a keyword finds none, and says so', () => {
    for (const type of ['text', 'match_only_text'])
      expect(readingOf('u', { type })).toStrictEqual({
        ignoreAbove: null,
        limitField: null,
        unreadable: analysed(type),
      });
    expect(readingOf('e', { type: 'text', fields: { t: { type: 'text' } } })).toMatchObject({
      unreadable: analysed('text').replace(/^u/, 'e'),
    });
  });

  it('a text column in an analysed field is fine: only identifiers are looked up whole', () => {
    expect(readingOf('t', { type: 'text' })).not.toHaveProperty('unreadable');
  });
});

describe('boolean fields', () => {
  it.each([
    [undefined, { bool: 'boolean' }],
    ['boolean', { bool: 'boolean' }],
    ['keyword', { bool: 'term' }],
    ['text', { bool: 'term' }],
    ['wildcard', { bool: 'term' }],
    ['long', { bool: 'unreadable', type: 'long' }],
  ])('%s → %j', (type, reading) => {
    expect(readingOf('b', type === undefined ? {} : { type })).toStrictEqual(reading);
  });
});

describe('json fields', () => {
  it.each([
    ['object', { json: 'value' }],
    ['nested', { json: 'value' }],
    ['flattened', { json: 'value' }],
    ['keyword', { json: 'text' }],
    ['text', { json: 'text' }],
    ['wildcard', { json: 'text' }],
    ['match_only_text', { json: 'text' }],
    ['long', { json: 'unreadable', type: 'long' }],
  ])('%s → %j', (type, reading) => {
    expect(readingOf('jb', { type })).toStrictEqual(reading);
  });

  it('properties without a type are an object; neither is no mapping', () => {
    expect(readingOf('j', { properties: { a: { type: 'long' } } })).toStrictEqual({ json: 'value' });
    expect(readingOf('j', {})).toStrictEqual({ json: 'either' });
    expect(tableReadingOf(ALL, {}).columns['j']).toStrictEqual({ json: 'either' });
  });
});

describe('numeric fields', () => {
  it.each([
    [{}, { kind: 'decimal', ignoreMalformed: false }],
    [
      { type: 'double', ignore_malformed: true },
      { kind: 'decimal', ignoreMalformed: true },
    ],
    [
      { type: 'double', ignore_malformed: 'true' },
      { kind: 'decimal', ignoreMalformed: true },
    ],
    [
      { type: 'double', ignore_malformed: 'false' },
      { kind: 'decimal', ignoreMalformed: false },
    ],
    [{ type: 'byte' }, { kind: 'integer', type: 'byte', min: -128, max: 127, ignoreMalformed: false }],
    [{ type: 'short' }, { kind: 'integer', type: 'short', min: -32_768, max: 32_767, ignoreMalformed: false }],
    [
      { type: 'integer' },
      { kind: 'integer', type: 'integer', min: -2_147_483_648, max: 2_147_483_647, ignoreMalformed: false },
    ],
    [
      { type: 'long' },
      { kind: 'integer', type: 'long', min: -Number.MAX_VALUE, max: Number.MAX_VALUE, ignoreMalformed: false },
    ],
    [
      { type: 'unsigned_long', ignore_malformed: true },
      { kind: 'integer', type: 'unsigned_long', min: 0, max: Number.MAX_VALUE, ignoreMalformed: true },
    ],
    [
      { type: 'scaled_float', scaling_factor: 100 },
      { kind: 'scaled', factor: 100, ignoreMalformed: false },
    ],
    [{ type: 'float' }, { kind: 'float', bits: 32, ignoreMalformed: false }],
    [{ type: 'half_float' }, { kind: 'float', bits: 16, ignoreMalformed: false }],
    [
      { type: 'keyword', ignore_above: 8 },
      { kind: 'keyword', ignoreAbove: 8 },
    ],
    [{ type: 'text' }, { kind: 'keyword', ignoreAbove: null }],
    [{ type: 'wildcard' }, { kind: 'keyword', ignoreAbove: null }],
    [{ type: 'boolean' }, { kind: 'unreadable', type: 'boolean' }],
    [{ type: 7 }, { kind: 'unreadable', type: '7' }],
    // Not a string, though it prints as an integer type's name.
    [{ type: ['byte'] }, { kind: 'unreadable', type: 'byte' }],
  ])('%j → %j', (m, reading) => {
    expect(readingOf('p', m)).toStrictEqual(reading);
  });

  it('the same reading for integer and float columns', () => {
    expect(readingOf('n', { type: 'short' })).toMatchObject({ kind: 'integer', min: -32_768 });
    expect(readingOf('f8', { type: 'float' })).toStrictEqual({ kind: 'float', bits: 32, ignoreMalformed: false });
  });
});

describe('date and bytea fields', () => {
  it('a date, day or timestamp column by its date mapping', () => {
    expect(readingOf('d', { type: 'date', format: 'epoch_second' })).toMatchObject({ formats: ['epoch_second'] });
    expect(readingOf('tz', { type: 'date_nanos' })).toMatchObject({ nanos: true });
  });

  it('bytea: binary or no type is base64; a keyword or (analysed) text field a term', () => {
    expect(readingOf('by', { type: 'binary' })).toStrictEqual({ binary: true });
    expect(readingOf('by', { doc_values: false })).toStrictEqual({ binary: true });
    expect(tableReadingOf(ALL, {}).columns['by']).toStrictEqual({ binary: true });
    expect(readingOf('by', { type: 'text' })).toStrictEqual({ ignoreAbove: null, limitField: null });
    expect(readingOf('by', { type: 'keyword', ignore_above: 9 })).toStrictEqual({ ignoreAbove: 9, limitField: 'by' });
  });

  it('products: name and description as text, price as a number, created_at as a date', () => {
    expect(DEFAULT_INDEX_READING.columns['name']).toStrictEqual({ ignoreAbove: null, limitField: null });
    expect(DEFAULT_INDEX_READING.columns['price']).toStrictEqual({ kind: 'decimal', ignoreMalformed: false });
    expect(DEFAULT_INDEX_READING.columns['created_at']).toStrictEqual(DEFAULT_DATE_READING);
    expect(DEFAULT_INDEX_READING.columns['product_id']).toStrictEqual({ exact: true });
    expect(Object.keys(DEFAULT_INDEX_READING.columns)).toEqual(PRODUCTS.columns.map((c) => c.name));
  });
});
