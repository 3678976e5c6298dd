import { describe, expect, it } from 'vitest';
import { debeziumDecimalBase64, docOf, product } from '../../test/fixtures/checker.ts';
import type { TableModel } from '../model/table.ts';
import {
  differingFields,
  isNormalisedRow,
  normaliseDescription,
  normaliseName,
  normalisePgRow,
  normalisePrice,
  normaliseProductId,
  normaliseSource,
  readPrice,
  sourceMatchesRow,
  unexpectedFields,
} from './normalise.ts';
import { DEFAULT_INDEX_READING, indexReadingOf } from './mapping.ts';
import { DEFAULT_DATE_READING, dateReadingOf, normaliseTimestamp } from './timestamps.ts';
import { column as col } from '../../test/fixtures/tables.ts';

describe('normalisePrice', () => {
  it.each([
    ['19.99', '19.99'],
    ['19.9', '19.90'],
    ['19', '19.00'],
    ['19.990', '19.99'],
    ['019.99', '19.99'],
    ['0.5', '0.50'],
    ['.5', '0.50'],
    ['-3.10', '-3.10'],
    ['-0.00', '0.00'],
    ['99999999.99', '99999999.99'],
  ])('string %j → %j', (input, expected) => {
    expect(normalisePrice(input)).toBe(expected);
  });

  it.each([
    [19.99, '19.99'],
    [19.9, '19.90'],
    [20, '20.00'],
    [0.1, '0.10'],
    [-5.5, '-5.50'],
    [99999999.99, '99999999.99'],
  ])('number %j → %j', (input, expected) => {
    expect(normalisePrice(input)).toBe(expected);
  });

  it.each([['19.999'], ['1e3'], [''], ['-'], ['.'], [' 19.99'], ['19,99'], ['NaN'], ['+1.00']])(
    'rejects string %j',
    (input) => {
      expect(normalisePrice(input)).toBeUndefined();
    },
  );

  it('rejects numbers that NUMERIC(10,2) cannot hold, and non-numbers', () => {
    expect(normalisePrice(19.999)).toBeUndefined();
    expect(normalisePrice(1e-7)).toBeUndefined();
    expect(normalisePrice(Number.NaN)).toBeUndefined();
    expect(normalisePrice(null)).toBeUndefined();
    expect(normalisePrice({ scale: 2, value: 'B88=' })).toBeUndefined();
  });

  it('never turns a Debezium precise-mode base64 price into the value it encodes', () => {
    expect(debeziumDecimalBase64('19.99')).toBe('B88=');
    for (const price of ['19.99', '0.01', '1.28', '-1.00', '12345678.90', '12.34', '1000.00']) {
      const encoded = debeziumDecimalBase64(price);
      expect(normalisePrice(encoded)).not.toBe(price);
    }
  });
});

describe('normaliseTimestamp', () => {
  const ms = Date.UTC(2024, 4, 1, 10, 20, 30, 123);

  it('reads epoch ms and digit strings as epoch_millis does, fractions floored', () => {
    expect(normaliseTimestamp(ms)).toBe(ms);
    expect(normaliseTimestamp(String(ms))).toBe(ms);
    expect(normaliseTimestamp(ms + 0.456)).toBe(ms);
    expect(normaliseTimestamp(`${ms}.456`)).toBe(ms);
    // 1900-01-01 00:00:00.000500 is -2208988799999.5 ms: floored towards the past, as Postgres' floor does.
    expect(normaliseTimestamp(-2_208_988_799_999.5)).toBe(-2_208_988_800_000);
  });

  it(
    'reads a microsecond epoch as the far-future date an ' +
      'epoch_millis mapping indexes, never as the instant it meant',
    () => {
      // time.precision.mode=adaptive: 1000 × the instant, which a range query or sort sees ~54,000 years out.
      expect(normaliseTimestamp(ms * 1000 + 999)).toBe(ms * 1000 + 999);
      expect(normaliseTimestamp(ms * 1000)).not.toBe(ms);
      expect(normaliseTimestamp(String(ms * 1000 + 1))).toBe(ms * 1000 + 1);
    },
  );

  it('reads values the way the mapping reads them', () => {
    const seconds = dateReadingOf({ type: 'date', format: 'epoch_second' });
    expect(seconds).toEqual({ formats: ['epoch_second'], nanos: false, ignoreMalformed: false });
    expect(normaliseTimestamp(ms / 1000, seconds)).toBe(ms);
    expect(normaliseTimestamp('2024-05-01T10:20:30.123Z', seconds)).toBeUndefined();
    const millis = dateReadingOf({ type: 'date', format: 'epoch_millis' });
    expect(millis).toEqual({ formats: ['epoch_millis'], nanos: false, ignoreMalformed: false });
    expect(normaliseTimestamp('2024-05-01T10:20:30.123Z', millis)).toBeUndefined();
    const textOnly = dateReadingOf({ type: 'date', format: 'strict_date_optional_time' });
    expect(normaliseTimestamp(ms, textOnly)).toBeUndefined();
    expect(normaliseTimestamp('2024-05-01T10:20:30.123Z', textOnly)).toBe(ms);
    expect(dateReadingOf({ type: 'date' })).toEqual(DEFAULT_DATE_READING);
    expect(dateReadingOf(undefined)).toEqual(DEFAULT_DATE_READING);
    // Not a date: a search sees the number itself, and text is text.
    const long = dateReadingOf({ type: 'long' });
    expect(normaliseTimestamp(ms, long)).toBe(ms);
    expect(normaliseTimestamp('2024-05-01T10:20:30.123Z', long)).toBeUndefined();
  });

  it('reads ISO and Postgres text forms as the wall clock in UTC', () => {
    expect(normaliseTimestamp('2024-05-01T10:20:30.123Z')).toBe(ms);
    expect(normaliseTimestamp('2024-05-01T10:20:30.123456Z')).toBe(ms);
    expect(normaliseTimestamp('2024-05-01T10:20:30.1239')).toBe(ms);
    expect(normaliseTimestamp('2024-05-01 10:20:30.123')).toBe(ms);
    expect(normaliseTimestamp('2024-05-01T12:20:30.123+02:00')).toBe(ms);
    expect(normaliseTimestamp('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(normaliseTimestamp('0099-01-01T00:00:00Z')).toBe(-59_042_995_200_000);
  });

  it('keeps null (and an absent field) null, rejects the rest', () => {
    expect(normaliseTimestamp(null)).toBeNull();
    expect(normaliseTimestamp(undefined)).toBeNull();
    expect(normaliseTimestamp('2024-02-30T00:00:00Z')).toBeUndefined();
    expect(normaliseTimestamp('yesterday')).toBeUndefined();
    expect(normaliseTimestamp(true)).toBeUndefined();
    expect(normaliseTimestamp(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('text and ids', () => {
  it('compares text byte-exact: no trimming, no NFC', () => {
    const composed = 'Caf\u00e9 ☕ 👩‍💻';
    const decomposed = 'Cafe\u0301 ☕ 👩‍💻';
    const row = product(1, { name: composed, description: ' padded ' });
    expect(sourceMatchesRow(docOf(row)._source, row)).toBe(true);
    expect(sourceMatchesRow({ ...docOf(row)._source, name: decomposed }, row)).toBe(false);
    expect(sourceMatchesRow({ ...docOf(row)._source, description: 'padded' }, row)).toBe(false);
  });

  it('reads name as the exact string, and nothing else', () => {
    expect(normaliseName('Caf\u00e9 ')).toBe('Caf\u00e9 ');
    expect(normaliseName(5)).toBeUndefined();
    expect(normaliseName(null)).toBeUndefined();
  });

  it('treats an absent description as null', () => {
    expect(normaliseDescription(undefined)).toBeNull();
    expect(normaliseDescription(42)).toBeUndefined();
  });

  it('reads product_id as a number or a numeric string', () => {
    expect(normaliseProductId(12)).toBe(12);
    expect(normaliseProductId('12')).toBe(12);
    expect(normaliseProductId('12a')).toBeUndefined();
    expect(normaliseProductId(1.5)).toBeUndefined();
    expect(normaliseProductId(null)).toBeUndefined();
  });
});

describe('whole documents and rows', () => {
  const row = product(7, { price: '20.50', created_at: Date.UTC(2024, 0, 1, 0, 0, 0, 5) });

  it.each([
    [{ price: 'string', createdAt: 'ms' }],
    [{ price: 'short-string', createdAt: 'ms-fraction' }],
    [{ price: 'number', createdAt: 'iso' }],
    [{ price: 'number', createdAt: 'iso-micros', productId: 'string' }],
  ] as const)('every encoding of one row normalises to it: %j', (form) => {
    const source = docOf(row, form)._source;
    expect(normaliseSource(source)).toEqual({ ok: true, row });
    expect(sourceMatchesRow(source, row)).toBe(true);
  });

  it('a microsecond created_at is not the row: a search sees another date', () => {
    const source = docOf(row, { createdAt: 'micros' })._source;
    expect(sourceMatchesRow(source, row)).toBe(false);
    expect(differingFields(source, row)).toEqual(['created_at']);
  });

  it('reports the field that cannot be normalised', () => {
    const result = normaliseSource(docOf(row, { price: 'base64' })._source);
    expect(result).toMatchObject({ ok: false, field: 'price', value: debeziumDecimalBase64('20.50') });
  });

  it('reads a Postgres row as the snapshot reader selects it', () => {
    expect(
      normalisePgRow({
        product_id: 7,
        name: row.name,
        description: row.description,
        price: '20.50',
        created_at: '1704067200005',
      }),
    ).toEqual(row);
    expect(normalisePgRow({ product_id: 8, name: 'x', description: null, price: '1.00', created_at: null })).toEqual({
      product_id: 8,
      name: 'x',
      description: null,
      price: '1.00',
      created_at: null,
    });
  });

  it('reads a node-postgres Date (built from the local wall clock) as that wall clock in UTC', () => {
    const local = new Date(2024, 0, 1, 0, 0, 0, 5); // what node-postgres makes of '2024-01-01 00:00:00.005'
    expect(normalisePgRow({ ...row, created_at: local }).created_at).toBe(row.created_at);
  });
});

describe('normalisePrice: the shapes of a mangled price', () => {
  it.each([
    ['.55', '0.55'],
    ['-.55', '-0.55'],
    ['-0.5', '-0.50'],
    ['-0.05', '-0.05'],
  ])('reads %j as %j (a lone fraction, a negative fraction keeps its sign)', (input, expected) => {
    expect(normalisePrice(input)).toBe(expected);
  });

  it.each([['19.9x'], ['19.x9'], ['1.5x'], ['x.50'], ['+.50'], ['$.99']])('rejects %j', (input) => {
    expect(normalisePrice(input)).toBeUndefined();
  });

  it('rejects a price wrapped in an array or any other container, even when its text would read as one', () => {
    expect(normalisePrice(['19.99'])).toBeUndefined();
    expect(normalisePrice([19.99])).toBeUndefined();
    expect(normalisePrice(true)).toBeUndefined();
  });
});

describe('normaliseTimestamp: text forms', () => {
  const ms = Date.UTC(2024, 4, 1, 10, 20, 30, 123);

  it('applies every offset form ISO 8601 allows, and the minutes of an offset', () => {
    expect(normaliseTimestamp('2024-05-01T05:20:30.123-05:00')).toBe(ms);
    expect(normaliseTimestamp('2024-05-01T15:50:30.123+05:30')).toBe(ms);
    expect(normaliseTimestamp('2024-05-01T04:50:30.123-05:30')).toBe(ms);
    expect(normaliseTimestamp('2024-05-01T12:20:30.123+0200')).toBe(ms);
    expect(normaliseTimestamp('2024-05-01T12:20:30.123+02')).toBe(ms);
    expect(normaliseTimestamp('2024-05-01T10:20:30.123Z')).toBe(ms);
  });

  it('reads a time without seconds, and one or two fraction digits as tenths and hundredths', () => {
    expect(normaliseTimestamp('2024-05-01T10:20')).toBe(Date.UTC(2024, 4, 1, 10, 20));
    expect(normaliseTimestamp('2024-05-01 10:20:30.1')).toBe(Date.UTC(2024, 4, 1, 10, 20, 30, 100));
    expect(normaliseTimestamp('2024-05-01 10:20:30.12')).toBe(Date.UTC(2024, 4, 1, 10, 20, 30, 120));
  });

  it.each([
    ['2024-00-10T00:00:00Z', 'month 0'],
    ['2024-13-10T00:00:00Z', 'month 13'],
    ['2024-05-00T00:00:00Z', 'day 0'],
    ['2024-05-01T24:00:00Z', 'hour 24'],
    ['2024-05-01T10:60:00Z', 'minute 60'],
    ['2024-05-01T10:20:60Z', 'second 60'],
    ['on 2024-05-01', 'text before the date'],
    ['2024-05-01T10:20:30Z and more', 'text after the zone'],
    ['2024-05-01T10:20:30.123+2', 'a one-digit offset'],
  ])('rejects %j (%s) instead of rolling it over into another instant', (input) => {
    expect(normaliseTimestamp(input)).toBeUndefined();
  });

  it('rejects a created_at wrapped in an array, whatever it holds', () => {
    expect(normaliseTimestamp([ms])).toBeUndefined();
    expect(normaliseTimestamp(['2024-05-01T10:20:30.123Z'])).toBeUndefined();
  });
});

describe('dateReadingOf: the mappings an index can have', () => {
  it('reads the default format spelled out, with or without spaces around ||', () => {
    expect(dateReadingOf({ type: 'date', format: 'strict_date_optional_time||epoch_millis' })).toEqual(
      DEFAULT_DATE_READING,
    );
    expect(dateReadingOf({ type: 'date', format: 'strict_date_optional_time || epoch_millis' })).toEqual(
      DEFAULT_DATE_READING,
    );
    const plain = { nanos: false, ignoreMalformed: false };
    expect(dateReadingOf({ type: 'date', format: ' epoch_second ' })).toEqual({ formats: ['epoch_second'], ...plain });
    // Kept in the order written: Elasticsearch tries them so.
    expect(dateReadingOf({ type: 'date', format: 'epoch_second||epoch_millis' })).toEqual({
      formats: ['epoch_second', 'epoch_millis'],
      ...plain,
    });
  });

  it('treats a blank format as no format, and a mapping without a type as no mapping', () => {
    expect(dateReadingOf({ type: 'date', format: '' })).toEqual(DEFAULT_DATE_READING);
    expect(dateReadingOf({ type: 'date', format: '  ' })).toEqual(DEFAULT_DATE_READING);
    expect(dateReadingOf({ type: 'date', format: 42 })).toEqual(DEFAULT_DATE_READING);
    expect(dateReadingOf({ format: 'epoch_second' })).toEqual(DEFAULT_DATE_READING);
  });

  it('reads a field that is not a date as the number it holds: epoch milliseconds, never text', () => {
    const asNumber = { formats: ['epoch_millis'], nanos: false, ignoreMalformed: false };
    expect(dateReadingOf({ type: 'long' })).toEqual({ ...asNumber, notDate: 'long' });
    expect(dateReadingOf({ type: 'keyword' })).toEqual({ ...asNumber, notDate: 'keyword' });
  });
});

describe('normaliseProductId: only a number or a plain numeric string', () => {
  it.each([[' 12'], ['12 '], ['12e3'], ['0x1f'], [''], [[12]], [true], ['12345678901234567']])(
    'rejects %j',
    (input) => {
      expect(normaliseProductId(input)).toBeUndefined();
    },
  );

  it('reads negative and long numeric strings up to the safe-integer range', () => {
    expect(normaliseProductId('-3')).toBe(-3);
    expect(normaliseProductId('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(normaliseProductId('9007199254740993')).toBeUndefined();
    expect(normaliseProductId(2 ** 53)).toBeUndefined();
  });
});

describe('normaliseSource: the first field that cannot be read, and why', () => {
  const row = product(7, { price: '20.50', created_at: Date.UTC(2024, 0, 1) });
  const source = docOf(row)._source;

  it.each([
    ['product_id', 'x', 'not an integer'],
    ['name', 42, 'not a string'],
    ['name', null, 'not a string'],
    ['description', 42, 'not a string or null'],
    ['price', '19.999', 'not a decimal with at most 2 fraction digits'],
    ['created_at', 'yesterday', 'not a timestamp the index reads (ISO dates, then epoch_millis)'],
  ] as const)('%s %j: %s', (field, value, reason) => {
    expect(normaliseSource({ ...source, [field]: value })).toEqual({ ok: false, field, value, reason });
  });

  it('names the readings the index mapping allows in the created_at reason', () => {
    const reason = (reading: Parameters<typeof normaliseSource>[1]) => {
      const result = normaliseSource({ ...source, created_at: 'yesterday' }, reading);
      return result.ok ? undefined : result.reason;
    };
    const r = (format: string) => dateReadingOf({ type: 'date', format });
    expect(reason(r('epoch_second'))).toBe('not a timestamp the index reads (epoch_second)');
    expect(reason(r('yyyy-MM-dd HH:mm:ss'))).toBe('not a timestamp the index reads (text dates)');
    expect(reason(r('strict_date_optional_time||epoch_second'))).toBe(
      'not a timestamp the index reads (ISO dates, then epoch_second)',
    );
    expect(reason({ formats: [], nanos: false, ignoreMalformed: false })).toBe(
      'not a timestamp the index reads (nothing)',
    );
  });

  it('reads an absent description and an absent created_at as null, and ignores fields a sink adds', () => {
    const { description: _d, created_at: _c, ...rest } = source;
    expect(normaliseSource({ ...rest, __op: 'u' })).toEqual({
      ok: true,
      row: { ...row, description: null, created_at: null },
    });
  });
});

describe('sourceMatchesRow and differingFields agree with normaliseSource', () => {
  const row = product(7, { price: '20.50', created_at: Date.UTC(2024, 0, 1) });
  const source = docOf(row)._source;
  const cases: [keyof typeof row, unknown][] = [
    ['product_id', 8],
    ['product_id', '8'],
    ['name', 'other'],
    ['description', 'other'],
    ['description', null],
    ['price', '20.51'],
    ['price', 20.51],
    ['created_at', Date.UTC(2024, 0, 1) + 1],
    ['created_at', null],
  ];

  it.each(cases)('%s %j differs, alone', (field, value) => {
    const changed = { ...source, [field]: value };
    expect(sourceMatchesRow(changed, row)).toBe(false);
    expect(differingFields(changed, row)).toEqual([field]);
  });

  it('an absent description equals a null one only', () => {
    const { description: _d, ...without } = source;
    expect(sourceMatchesRow(without, { ...row, description: null })).toBe(true);
    expect(sourceMatchesRow(without, row)).toBe(false);
    expect(sourceMatchesRow({ ...source, description: 'x' }, { ...row, description: null })).toBe(false);
    expect(differingFields(without, row)).toEqual(['description']);
  });

  it('lists every differing field, and none for an equal document in another encoding', () => {
    expect(differingFields({ ...source, name: 'a', price: '1.00' }, row)).toEqual(['name', 'price']);
    expect(
      differingFields(docOf(row, { price: 'number', createdAt: 'iso', productId: 'string' })._source, row),
    ).toEqual([]);
  });

  it('reads created_at the way the mapping does', () => {
    const seconds = { ...source, created_at: Date.UTC(2024, 0, 1) / 1000 };
    const bySeconds = {
      ...DEFAULT_INDEX_READING,
      columns: {
        ...DEFAULT_INDEX_READING.columns,
        created_at: dateReadingOf({ type: 'date', format: 'epoch_second' }),
      },
    };
    expect(sourceMatchesRow(seconds, row, bySeconds)).toBe(true);
    expect(sourceMatchesRow(seconds, row)).toBe(false);
    expect(differingFields(seconds, row, bySeconds)).toEqual([]);
  });
});

describe('normalisePgRow', () => {
  it('refuses a row it cannot read, naming the product, the field and the value', () => {
    expect(() =>
      normalisePgRow({ product_id: 3, name: 'x', description: null, price: 'abc', created_at: null }),
    ).toThrow('Postgres row 3: price "abc" is not a decimal with at most 2 fraction digits');
  });
});

describe('isNormalisedRow: a row already in the canonical form, and only such a row', () => {
  const items: TableModel = {
    name: 'items',
    key: ['id'],
    columns: [
      col('id', { kind: 'int8' }, false),
      col('label', { kind: 'text' }),
      col('amount', { kind: 'numeric', precision: null, scale: null }),
      col('at', { kind: 'timestamptz', precision: null }),
      col('ok', { kind: 'bool' }),
    ],
    foreignKeys: [],
    replicaIdentity: 'default',
  };
  const item = { id: 1, label: 'a', amount: '1.5', at: 1_700_000_000_000, ok: true };

  it('accepts canonical rows, nulls of nullable columns included', () => {
    expect(isNormalisedRow(product(1))).toBe(true);
    expect(isNormalisedRow(product(1, { description: null, created_at: null, price: '-0.05' }))).toBe(true);
    expect(isNormalisedRow(product(1, { price: '0.00', name: '' }))).toBe(true);
    expect(isNormalisedRow(item, items)).toBe(true);
    expect(isNormalisedRow({ id: 2, label: null, amount: null, at: null, ok: null }, items)).toBe(true);
    expect(isNormalisedRow({ ...item, amount: '7', ok: false }, items)).toBe(true);
  });

  it('refuses every other encoding of the same values, and absent or null required fields', () => {
    for (const change of [
      { price: '19.9' },
      { price: 19.99 },
      { price: '019.99' },
      { created_at: '2024-05-01T00:00:00Z' },
      { created_at: 1.5 },
      { product_id: '1' },
      { name: null },
      { description: undefined },
      { description: 5 },
    ])
      expect(isNormalisedRow({ ...product(1), ...change } as never), JSON.stringify(change)).toBe(false);
    for (const change of [{ amount: '1.50' }, { amount: 1.5 }, { ok: 't' }, { id: null }, { label: 1 }])
      expect(isNormalisedRow({ ...item, ...change }, items), JSON.stringify(change)).toBe(false);
  });

  it('refuses an absent field of a NOT NULL column of any type', () => {
    const flags: TableModel = {
      ...items,
      columns: [col('id', { kind: 'int8' }, false), col('ok', { kind: 'bool' }, false)],
    };
    expect(isNormalisedRow({ id: 1, ok: true }, flags)).toBe(true);
    expect(isNormalisedRow({ id: 1 }, flags)).toBe(false);
  });

  it('knows decimals only: a NaN price takes the full normalisation', () => {
    expect(isNormalisedRow(product(1, { price: 'NaN' }))).toBe(false);
  });
});

describe('sourceMatchesRow: every field through its reading, the key as it stands', () => {
  const row = product(7, { name: 'abcd' });
  const source = docOf(row)._source;

  it("a value equal to the row's is still read: a name over ignore_above is not the row's", () => {
    const short = indexReadingOf({ properties: { name: { type: 'keyword', ignore_above: 3 } } });
    expect(sourceMatchesRow(source, row, short)).toBe(false);
    expect(differingFields(source, row, short)).toEqual(['name']);
    expect(sourceMatchesRow(source, row)).toBe(true);
  });

  it('a key equal to the row key as it stands needs no reading', () => {
    // Only the integer key is taken as it stands; a key the reading refuses matches a row that holds the same.
    const odd = { ...row, product_id: 1.5 };
    expect(sourceMatchesRow({ ...source, product_id: 1.5 }, odd)).toBe(true);
    expect(differingFields({ ...source, product_id: 1.5 }, odd)).toEqual(['product_id']);
  });
});

describe('unexpectedFields', () => {
  const source = docOf(product(1))._source;

  it('none for a document of the columns alone', () => {
    expect(unexpectedFields(source)).toEqual([]);
  });

  it('the fields beyond the columns, in document order, unless the definition declares them', () => {
    const extra = { ...source, __op: 'u', __deleted: 'false' };
    expect(unexpectedFields(extra)).toEqual(['__op', '__deleted']);
    expect(unexpectedFields(extra, indexReadingOf({ properties: {} }, ['__deleted']))).toEqual(['__op']);
  });
});

describe('readPrice', () => {
  it('reads the price as its field holds it, naming the column when the type holds no number', () => {
    expect(readPrice('19.9', { kind: 'keyword', ignoreAbove: null })).toBe('19.9');
    expect(
      readPrice(19.99, { kind: 'integer', type: 'short', min: -32_768, max: 32_767, ignoreMalformed: false }),
    ).toBe('19.99 (held as 19.00)');
    expect(readPrice('19.99', { kind: 'unreadable', type: 'boolean' })).toEqual({
      reason: 'price is mapped as boolean, which holds no number',
    });
  });
});
