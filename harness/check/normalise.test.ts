import { describe, expect, it } from 'vitest';
import { debeziumDecimalBase64, docOf, product } from '../../test/fixtures/checker.ts';
import { DEFAULT_DATE_READING, dateReadingOf, differingFields, normaliseDescription, normalisePgRow, normalisePrice, normaliseProductId, normaliseSource, normaliseTimestamp, sourceMatchesRow } from './normalise.ts';

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

  it('reads a microsecond epoch as the far-future date an epoch_millis mapping indexes, never as the instant it meant', () => {
    // time.precision.mode=adaptive: 1000 × the instant, which a range query or sort sees ~54,000 years out.
    expect(normaliseTimestamp(ms * 1000 + 999)).toBe(ms * 1000 + 999);
    expect(normaliseTimestamp(ms * 1000)).not.toBe(ms);
    expect(normaliseTimestamp(String(ms * 1000 + 1))).toBe(ms * 1000 + 1);
  });

  it('reads values the way the mapping reads them', () => {
    const seconds = dateReadingOf({ type: 'date', format: 'epoch_second' });
    expect(seconds).toEqual({ epoch: 'second', iso: false });
    expect(normaliseTimestamp(ms / 1000, seconds)).toBe(ms);
    expect(normaliseTimestamp('2024-05-01T10:20:30.123Z', seconds)).toBeUndefined();
    const millis = dateReadingOf({ type: 'date', format: 'epoch_millis' });
    expect(millis).toEqual({ epoch: 'millis', iso: false });
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
      normalisePgRow({ product_id: 7, name: row.name, description: row.description, price: '20.50', created_at: '1704067200005' }),
    ).toEqual(row);
    expect(
      normalisePgRow({ product_id: 8, name: 'x', description: null, price: '1.00', created_at: null }),
    ).toEqual({ product_id: 8, name: 'x', description: null, price: '1.00', created_at: null });
  });

  it('reads a node-postgres Date (built from the local wall clock) as that wall clock in UTC', () => {
    const local = new Date(2024, 0, 1, 0, 0, 0, 5); // what node-postgres makes of '2024-01-01 00:00:00.005'
    expect(normalisePgRow({ ...row, created_at: local }).created_at).toBe(row.created_at);
  });
});
