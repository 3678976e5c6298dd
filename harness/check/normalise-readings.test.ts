import { describe, expect, it } from 'vitest';
import type { PgType } from '../model/pg-type.ts';
import type { Column, Row, TableModel, Value } from '../model/table.ts';
import type { FieldReading, IndexReading, NumberReading } from './mapping.ts';
import { normaliseSource, readSource, roundHalf } from './normalise.ts';
import { DEFAULT_DATE_READING, dateReadingOf } from './timestamps.ts';

const col = (name: string, type: PgType, nullable = true): Column => ({
  name,
  type,
  nullable,
  default: null,
  toastable: false,
});

/**
 * The value a document's field `v` (a column of that type) is read as under that reading (undefined: the
 * column's default reading), or why it cannot be read.
 */
function cell(
  type: PgType,
  reading: FieldReading | undefined,
  value: unknown,
  nullable = true,
): Value | { reason: string } {
  const table: TableModel = {
    name: 't',
    key: ['id'],
    columns: [col('id', { kind: 'int8' }, false), col('v', type, nullable)],
    foreignKeys: [],
    replicaIdentity: 'default',
  };
  const columns: Record<string, FieldReading> = reading === undefined ? {} : { v: reading };
  const r = readSource<Row>({ id: 1, v: value }, { table, declared: new Set(), columns });
  if (r.ok) return r.row['v']!;
  expect(r).toMatchObject({ field: 'v', value });
  return { reason: r.reason };
}

const DROPPED = ' (ignore_malformed: the index keeps the document without it)';
const PRICE: PgType = { kind: 'numeric', precision: 10, scale: 2 };
const AMOUNT: PgType = { kind: 'numeric', precision: null, scale: null };
const INT: PgType = { kind: 'int4' };
const DOUBLE: PgType = { kind: 'float8' };

const integer = (type: string, min: number, max: number, ignoreMalformed = false): NumberReading => ({
  kind: 'integer',
  type,
  min,
  max,
  ignoreMalformed,
});
const SHORT = integer('short', -32_768, 32_767);
const BYTE = integer('byte', -128, 127);
const LONG = integer('long', -Number.MAX_VALUE, Number.MAX_VALUE);
const scaled = (factor: number, ignoreMalformed = false): NumberReading => ({
  kind: 'scaled',
  factor,
  ignoreMalformed,
});
const FLOAT: NumberReading = { kind: 'float', bits: 32, ignoreMalformed: false };
const HALF: NumberReading = { kind: 'float', bits: 16, ignoreMalformed: false };
const DECIMAL: NumberReading = { kind: 'decimal', ignoreMalformed: false };
const keyword = (ignoreAbove: number | null): NumberReading => ({ kind: 'keyword', ignoreAbove });
const UNREADABLE: NumberReading = { kind: 'unreadable', type: 'boolean' };

describe('a NUMERIC column through its numeric field', () => {
  it('a type that holds no number reads none, named', () => {
    expect(cell(PRICE, UNREADABLE, '1.00')).toEqual({ reason: 'v is mapped as boolean, which holds no number' });
  });

  it('a keyword holds the exact term, up to its ignore_above', () => {
    expect(cell(PRICE, keyword(5), '19.90')).toBe('19.90');
    expect(cell(PRICE, keyword(5), 19.9)).toBe('19.9');
    expect(cell(PRICE, keyword(5), '119.90')).toEqual({ reason: 'over ignore_above 5' });
    expect(cell(PRICE, keyword(null), '123456.78')).toBe('123456.78');
    expect(cell(PRICE, keyword(null), true)).toEqual({ reason: 'not a string or number' });
  });

  it('an unconstrained NUMERIC in a keyword: a decimal term without trailing zeros, any other term as it is', () => {
    expect(cell(AMOUNT, keyword(null), '8871.210')).toBe('8871.21');
    expect(cell(AMOUNT, keyword(null), 'n/a')).toBe('n/a');
  });

  it('a double field holds the exact decimal, at the column scale', () => {
    expect(cell(PRICE, DECIMAL, 'abc')).toEqual({ reason: 'not a decimal with at most 2 fraction digits' });
    expect(cell(AMOUNT, DECIMAL, 'abc')).toEqual({ reason: 'not a decimal' });
    expect(cell(PRICE, { kind: 'decimal', ignoreMalformed: true }, 'abc')).toEqual({
      reason: `not a decimal with at most 2 fraction digits${DROPPED}`,
    });
  });

  it('a NULL is null in a nullable column, and no decimal in a NOT NULL one', () => {
    expect(cell(PRICE, DECIMAL, null)).toBeNull();
    expect(cell(PRICE, DECIMAL, undefined)).toBeNull();
    expect(cell(PRICE, DECIMAL, null, false)).toEqual({ reason: 'not a decimal with at most 2 fraction digits' });
  });

  it('an integer field truncates toward zero: the row is read only when it is what the field holds', () => {
    expect(cell(PRICE, SHORT, 19)).toBe('19.00');
    expect(cell(PRICE, SHORT, '19')).toBe('19.00');
    expect(cell(PRICE, SHORT, 19.99)).toBe('19.99 (held as 19.00)');
    expect(cell(PRICE, SHORT, '-19.5')).toBe('-19.50 (held as -19.00)');
    expect(cell(PRICE, SHORT, '.5')).toBe('0.50 (held as 0.00)');
    expect(cell(PRICE, SHORT, '.55')).toBe('0.55 (held as 0.00)');
    expect(cell(PRICE, SHORT, '5.')).toBe('5.00');
    expect(cell(AMOUNT, SHORT, 7)).toBe('7');
  });

  it("an integer field's range, bounds included", () => {
    expect(cell(PRICE, SHORT, -32_768)).toBe('-32768.00');
    expect(cell(PRICE, SHORT, 32_767)).toBe('32767.00');
    expect(cell(PRICE, SHORT, 32_768)).toEqual({ reason: "out of short's range" });
    expect(cell(PRICE, SHORT, -32_769)).toEqual({ reason: "out of short's range" });
    expect(cell(PRICE, integer('short', -32_768, 32_767, true), 40_000)).toEqual({
      reason: `out of short's range${DROPPED}`,
    });
  });

  it('only a number or numeric text is a number to a numeric field: no spaces, no exponent', () => {
    for (const value of ['abc', ' 5', '5 ', '1e3', '', '-', '.', true, [5]])
      expect(cell(PRICE, SHORT, value), JSON.stringify(value)).toEqual({ reason: 'not a finite number' });
    expect(cell(PRICE, integer('short', -32_768, 32_767, true), 'abc')).toEqual({
      reason: `not a finite number${DROPPED}`,
    });
  });

  it('a scaled_float rounds value × scaling_factor', () => {
    expect(cell(PRICE, scaled(100), '19.99')).toBe('19.99');
    expect(cell(PRICE, scaled(10), 19.99)).toBe('19.99 (held as 20.00)');
    // A value no NUMERIC(10,2) has is shown as the document holds it.
    expect(cell(PRICE, scaled(100), 19.999)).toBe('19.999 (held as 20.00)');
    expect(cell(PRICE, scaled(100), '19.999')).toBe('"19.999" (held as 20.00)');
    // A field finer than the column holds a value no NUMERIC(10,2) has: shown as the number it is.
    expect(cell(PRICE, scaled(1000), 19.995)).toBe('19.995 (held as 19.995)');
    // Beyond the digits a decimal is written with: the number's own text.
    expect(cell(AMOUNT, LONG, 1e21)).toBe('1e+21 (held as 1e+21)');
    for (const factor of [0, -100, Number.NaN])
      expect(cell(PRICE, scaled(factor), 19.99)).toEqual({ reason: 'scaled_float without a positive scaling_factor' });
    expect(cell(PRICE, scaled(0, true), 19.99)).toEqual({
      reason: `scaled_float without a positive scaling_factor${DROPPED}`,
    });
  });

  it('a float or half_float holds the nearest value of its precision; the row is read when it is that value', () => {
    expect(cell(PRICE, FLOAT, 19.99)).toBe('19.99');
    expect(cell(PRICE, FLOAT, -0.05)).toBe('-0.05');
    expect(cell(PRICE, FLOAT, 99_999_999.99)).toBe('99999999.99 (held as 100000000.00)');
    expect(cell(PRICE, HALF, 19.99)).toBe('19.99 (held as 19.98)');
    expect(cell(PRICE, HALF, 20.5)).toBe('20.50');
    expect(cell(AMOUNT, FLOAT, 0.1)).toBe('0.1');
    // No decimal at the column scale is held as the same float: the float itself.
    expect(cell(PRICE, FLOAT, 0.00001)).toBe('0.00001 (held as 0.000009999999747378752)');
  });

  it("beyond a float's range the field rejects the value", () => {
    expect(cell(PRICE, HALF, 70_000)).toEqual({ reason: "out of half_float's range" });
    expect(cell(PRICE, { ...HALF, ignoreMalformed: true }, -70_000)).toEqual({
      reason: `out of half_float's range${DROPPED}`,
    });
    expect(cell(AMOUNT, FLOAT, 1e39)).toEqual({ reason: "out of float's range" });
  });
});

describe('an integer column through its field', () => {
  it('a type that holds no number reads none, named', () => {
    expect(cell(INT, UNREADABLE, 3)).toEqual({ reason: 'v is mapped as boolean, which holds no number' });
  });

  it("a keyword holds the term: the row's number only when written the canonical way", () => {
    expect(cell(INT, keyword(3), '300')).toBe(300);
    expect(cell(INT, keyword(3), 300)).toBe(300);
    expect(cell(INT, keyword(3), '-30')).toBe(-30);
    expect(cell(INT, keyword(3), '0')).toBe(0);
    expect(cell(INT, keyword(4), '0300')).toBe('"0300" (a keyword term)');
    expect(cell(INT, keyword(4), '3.0')).toBe('"3.0" (a keyword term)');
    expect(cell(INT, keyword(3), '1000')).toEqual({ reason: 'over ignore_above 3' });
    expect(cell(INT, keyword(3), [3])).toEqual({ reason: 'not a string or number' });
  });

  it('a double field holds the number: an integer, or a number that is no integer', () => {
    expect(cell(INT, DECIMAL, 300)).toBe(300);
    expect(cell(INT, DECIMAL, '300')).toBe(300);
    expect(cell(INT, DECIMAL, 2.5)).toBe('2.5 (not an integer)');
    expect(cell(INT, DECIMAL, 2 ** 53)).toBe('9007199254740992 (not an integer)');
    expect(cell(INT, DECIMAL, 'x')).toEqual({ reason: 'not a finite number' });
    for (const value of ['', ' 5', true, [5]])
      expect(cell(INT, BYTE, value), JSON.stringify(value)).toEqual({ reason: 'not a finite number' });
    expect(cell(INT, { kind: 'decimal', ignoreMalformed: true }, 'x')).toEqual({
      reason: `not a finite number${DROPPED}`,
    });
  });

  it('an integer, scaled_float or float field: the number when the field holds it, else what it holds', () => {
    expect(cell(INT, BYTE, 100)).toBe(100);
    expect(cell(INT, BYTE, -12)).toBe(-12);
    expect(cell(INT, BYTE, '100')).toBe(100);
    expect(cell(INT, BYTE, 2.5)).toBe('2.5 (held as 2)');
    expect(cell(INT, BYTE, 300)).toEqual({ reason: "out of byte's range" });
    expect(cell(INT, integer('byte', -128, 127, true), 300)).toEqual({ reason: `out of byte's range${DROPPED}` });
    expect(cell(INT, LONG, 2 ** 53 + 2)).toBe('9007199254740994 (held as 9007199254740994)');
    expect(cell(INT, scaled(10), 25)).toBe(25);
    expect(cell(INT, FLOAT, 16_777_217)).toBe('16777217 (held as 16777216)');
    expect(cell(INT, HALF, 2049)).toBe('2049 (held as 2048)');
    expect(cell(INT, HALF, 100_000)).toEqual({ reason: "out of half_float's range" });
  });

  it('a NULL is null in a nullable column, and refused in a NOT NULL one', () => {
    expect(cell(INT, BYTE, null)).toBeNull();
    expect(cell(INT, BYTE, undefined)).toBeNull();
    expect(cell(INT, BYTE, null, false)).toEqual({ reason: 'null' });
    expect(cell(INT, BYTE, undefined, false)).toEqual({ reason: 'null' });
  });
});

describe('a real/double column through its field', () => {
  it('a type that holds no number reads none, named', () => {
    expect(cell(DOUBLE, UNREADABLE, 2.5)).toEqual({ reason: 'v is mapped as boolean, which holds no number' });
  });

  it("a keyword holds the term: the row's number only when written as the number's own text", () => {
    expect(cell(DOUBLE, keyword(null), '2.5')).toBe(2.5);
    expect(cell(DOUBLE, keyword(null), 2.5)).toBe(2.5);
    expect(cell(DOUBLE, keyword(null), '2.50')).toBe('"2.50" (a keyword term)');
    expect(cell(DOUBLE, keyword(3), '2.25')).toEqual({ reason: 'over ignore_above 3' });
    expect(cell(DOUBLE, keyword(3), {})).toEqual({ reason: 'not a string or number' });
  });

  it('an integer field truncates, within its range', () => {
    expect(cell(DOUBLE, LONG, 2.5)).toBe('2.5 (held as 2)');
    expect(cell(DOUBLE, LONG, '-2.5')).toBe('-2.5 (held as -2)');
    expect(cell(DOUBLE, BYTE, 127)).toBe(127);
    expect(cell(DOUBLE, BYTE, -128)).toBe(-128);
    expect(cell(DOUBLE, BYTE, 128)).toEqual({ reason: "out of byte's range" });
    expect(cell(DOUBLE, BYTE, -129)).toEqual({ reason: "out of byte's range" });
    expect(cell(DOUBLE, integer('byte', -128, 127, true), 128)).toEqual({ reason: `out of byte's range${DROPPED}` });
  });

  it('a scaled_float rounds value × scaling_factor', () => {
    expect(cell(DOUBLE, scaled(10), 2.5)).toBe(2.5);
    expect(cell(DOUBLE, scaled(10), 2.25)).toBe('2.25 (held as 2.3)');
    expect(cell(DOUBLE, scaled(0), 2.5)).toEqual({ reason: 'scaled_float without a positive scaling_factor' });
    expect(cell(DOUBLE, scaled(-10), 2.5)).toEqual({ reason: 'scaled_float without a positive scaling_factor' });
  });

  it('a float or half_float field: the value stands for itself, unless beyond its range', () => {
    expect(cell(DOUBLE, FLOAT, 0.1)).toBe(0.1);
    expect(cell(DOUBLE, FLOAT, 70_000)).toBe(70_000);
    expect(cell(DOUBLE, HALF, 2049)).toBe(2049);
    expect(cell(DOUBLE, FLOAT, 1e39)).toEqual({ reason: "out of float's range" });
    expect(cell(DOUBLE, HALF, 1e39)).toEqual({ reason: "out of half_float's range" });
    expect(cell(DOUBLE, HALF, 70_000)).toEqual({ reason: "out of half_float's range" });
    expect(cell(DOUBLE, { ...FLOAT, ignoreMalformed: true }, -1e39)).toEqual({
      reason: `out of float's range${DROPPED}`,
    });
  });

  it('a double field: a finite number', () => {
    expect(cell(DOUBLE, DECIMAL, '2.5')).toBe(2.5);
    expect(cell(DOUBLE, DECIMAL, 1e39)).toBe(1e39);
    expect(cell(DOUBLE, DECIMAL, 'NaN')).toEqual({ reason: 'not a finite number' });
    expect(cell(DOUBLE, { kind: 'decimal', ignoreMalformed: true }, 'x')).toEqual({
      reason: `not a finite number${DROPPED}`,
    });
  });
});

describe('roundHalf: the nearest IEEE half-precision value', () => {
  it('keeps zeros, infinities and NaN', () => {
    expect(Object.is(roundHalf(0), 0)).toBe(true);
    expect(Object.is(roundHalf(-0), -0)).toBe(true);
    expect(roundHalf(Infinity)).toBe(Infinity);
    expect(roundHalf(-Infinity)).toBe(-Infinity);
    expect(roundHalf(Number.NaN)).toBeNaN();
  });

  it('rounds to 11 significant bits, ties to even', () => {
    expect(roundHalf(1)).toBe(1);
    expect(roundHalf(0.1)).toBe(0.0999755859375);
    expect(roundHalf(-19.99)).toBe(-19.984375);
    expect(roundHalf(2049)).toBe(2048); // a tie between 2048 and 2050: 2048 is even
    expect(roundHalf(2051)).toBe(2052); // a tie between 2050 and 2052
    expect(roundHalf(-2049)).toBe(-2048);
    expect(roundHalf(1 + 2 ** -11)).toBe(1);
    expect(roundHalf(65_504)).toBe(65_504);
    expect(roundHalf(65_519)).toBe(65_504);
  });

  it('is ±Infinity from 65,520 on (where the tie would round up to 2^16)', () => {
    expect(roundHalf(65_520)).toBe(Infinity);
    expect(roundHalf(-65_520)).toBe(-Infinity);
  });

  it('holds subnormals in steps of 2^-24', () => {
    expect(roundHalf(2 ** -24)).toBe(2 ** -24);
    expect(roundHalf(2 ** -25)).toBe(0); // a tie between 0 and 2^-24: 0 is even
    expect(roundHalf(3 * 2 ** -25)).toBe(2 ** -23);
    expect(roundHalf(1.4 * 2 ** -24)).toBe(2 ** -24);
  });
});

describe('a boolean column through its field', () => {
  const BOOL: PgType = { kind: 'bool' };

  it('a boolean field takes true, false, "true", "false" and "" (false), nothing else', () => {
    expect(cell(BOOL, { bool: 'boolean' }, true)).toBe(true);
    expect(cell(BOOL, { bool: 'boolean' }, 'true')).toBe(true);
    expect(cell(BOOL, { bool: 'boolean' }, false)).toBe(false);
    expect(cell(BOOL, { bool: 'boolean' }, 'false')).toBe(false);
    expect(cell(BOOL, { bool: 'boolean' }, '')).toBe(false);
    for (const value of ['t', 'f', 1, 0, 'TRUE'])
      expect(cell(BOOL, { bool: 'boolean' }, value), String(value)).toEqual({ reason: 'not a boolean' });
  });

  it('a keyword holds the term: "true" and "false" are the booleans, anything else another term', () => {
    expect(cell(BOOL, { bool: 'term' }, 'true')).toBe(true);
    expect(cell(BOOL, { bool: 'term' }, false)).toBe(false);
    expect(cell(BOOL, { bool: 'term' }, 'false')).toBe(false);
    expect(cell(BOOL, { bool: 'term' }, '')).toBe('"" (a keyword term)');
    expect(cell(BOOL, { bool: 'term' }, 't')).toBe('"t" (a keyword term)');
    expect(cell(BOOL, { bool: 'term' }, 1)).toBe('1 (a keyword term)');
  });

  it('any other type holds no boolean, named; a NULL of a NOT NULL column is refused', () => {
    expect(cell(BOOL, { bool: 'unreadable', type: 'long' }, true)).toEqual({
      reason: 'v is mapped as long, which holds no boolean',
    });
    expect(cell(BOOL, { bool: 'boolean' }, null, false)).toEqual({ reason: 'null' });
  });
});

describe('a jsonb column through its field', () => {
  const JSONB: PgType = { kind: 'jsonb' };

  it('an object-like field holds the value itself: JSON text there is a string', () => {
    expect(cell(JSONB, { json: 'value' }, { b: 1, a: [true, null] })).toBe('{"a":[true,null],"b":1}');
    expect(cell(JSONB, { json: 'value' }, '{"a":1}')).toBe('"{\\"a\\":1}"');
  });

  it('a string field holds the JSON text; a number or boolean is coerced to its text, an object is rejected', () => {
    expect(cell(JSONB, { json: 'text' }, '{"b": 1, "a": 2}')).toBe('{"a":2,"b":1}');
    expect(cell(JSONB, { json: 'text' }, 5)).toBe('5');
    expect(cell(JSONB, { json: 'text' }, true)).toBe('true');
    expect(cell(JSONB, { json: 'text' }, 'not json')).toEqual({ reason: 'not JSON' });
    expect(cell(JSONB, { json: 'text' }, { a: 1 })).toEqual({ reason: 'an object in a string field' });
    expect(cell(JSONB, { json: 'text' }, [1])).toEqual({ reason: 'an object in a string field' });
    // Coerced through its JSON text: a value JSON has no text for (a function) is dropped, as a sink's JSON drops it.
    expect(cell(JSONB, { json: 'text' }, () => 1)).toBeNull();
  });

  it('no mapping: the value or its text', () => {
    expect(cell(JSONB, { json: 'either' }, { a: 1 })).toBe('{"a":1}');
    expect(cell(JSONB, { json: 'either' }, '{"a":1}')).toBe('{"a":1}');
    expect(cell(JSONB, undefined, '{"a":1}')).toBe('{"a":1}');
    // The value itself, by its own fields, not its toJSON text: a Date has none.
    expect(cell(JSONB, { json: 'either' }, new Date(0))).toBe('{}');
  });

  it('any other type holds no JSON value, named', () => {
    expect(cell(JSONB, { json: 'unreadable', type: 'long' }, 5)).toEqual({
      reason: 'v is mapped as long, which holds no JSON value',
    });
  });
});

describe('a date column through its field', () => {
  const DATE: PgType = { kind: 'date' };
  const day = Date.UTC(2024, 0, 1);

  it('a UTC midnight is its day', () => {
    expect(cell(DATE, DEFAULT_DATE_READING, day)).toBe('2024-01-01');
    expect(cell(DATE, DEFAULT_DATE_READING, '2024-01-01')).toBe('2024-01-01');
    expect(cell(DATE, dateReadingOf({ type: 'date', format: 'epoch_second' }), day / 1000)).toBe('2024-01-01');
    expect(cell(DATE, DEFAULT_DATE_READING, Date.UTC(1969, 11, 31))).toBe('1969-12-31');
  });

  it('any other instant is not a day', () => {
    expect(cell(DATE, DEFAULT_DATE_READING, day + 43_200_000)).toBe(
      '1704110400000 (read as 2024-01-01T12:00:00.000Z, not a day)',
    );
    expect(cell(DATE, DEFAULT_DATE_READING, '2024-01-01T00:00:00.001Z')).toBe(
      '"2024-01-01T00:00:00.001Z" (read as 2024-01-01T00:00:00.001Z, not a day)',
    );
  });

  it('a midnight beyond year 9999 is no YYYY-MM-DD day', () => {
    expect(cell(DATE, DEFAULT_DATE_READING, 8.64e15)).toBe(
      '8640000000000000 (read as +275760-09-13T00:00:00.000Z, not a day)',
    );
    expect(cell(DATE, DEFAULT_DATE_READING, -8.64e15)).toBe(
      '-8640000000000000 (read as -271821-04-20T00:00:00.000Z, not a day)',
    );
  });

  it('what the formats do not read, or no Date can hold, is no date', () => {
    const reason = { reason: 'not a date the index reads (ISO dates, then epoch_millis)' };
    expect(cell(DATE, DEFAULT_DATE_READING, 'yesterday')).toEqual(reason);
    expect(cell(DATE, DEFAULT_DATE_READING, 8.64e15 + 86_400_000)).toEqual(reason);
    expect(cell(DATE, DEFAULT_DATE_READING, -8.64e15 - 86_400_000)).toEqual(reason);
    expect(cell(DATE, DEFAULT_DATE_READING, null, false)).toEqual({ reason: 'null' });
  });
});

describe('a timestamp column through its field', () => {
  const AT: PgType = { kind: 'timestamptz', precision: null };

  it('the instant its formats read, null for a NULL of a nullable column only', () => {
    expect(cell(AT, DEFAULT_DATE_READING, '2024-01-01T00:00:00.005Z')).toBe(Date.UTC(2024, 0, 1, 0, 0, 0, 5));
    expect(cell(AT, DEFAULT_DATE_READING, null)).toBeNull();
    expect(cell(AT, DEFAULT_DATE_READING, null, false)).toEqual({ reason: 'null' });
    expect(cell(AT, DEFAULT_DATE_READING, 5, false)).toBe(5);
    expect(cell(AT, dateReadingOf({ type: 'date', format: 'epoch_second' }), 'yesterday')).toEqual({
      reason: 'not a timestamp the index reads (epoch_second)',
    });
  });
});

describe('a bytea column through its field', () => {
  const BYTEA: PgType = { kind: 'bytea' };
  const rejected = { reason: 'not base64 text, which a binary field rejects' };

  it('a binary field holds base64 text only', () => {
    expect(cell(BYTEA, { binary: true }, 'AAEC')).toBe('AAEC');
    expect(cell(BYTEA, { binary: true }, 'AA==')).toBe('AA==');
    expect(cell(BYTEA, { binary: true }, '')).toBe('');
    for (const value of ['AAE', 'A===', 'AA=A', '\\x0001', 'AA!C', 5, []])
      expect(cell(BYTEA, { binary: true }, value), String(value)).toEqual(rejected);
  });

  it('a keyword holds the text as a term, up to its ignore_above', () => {
    const kw = { ignoreAbove: 4, limitField: 'v' };
    expect(cell(BYTEA, kw, 'AAEC')).toBe('AAEC');
    expect(cell(BYTEA, kw, 'AAECAw==')).toEqual({
      reason: "8 UTF-16 units, over v's ignore_above 4: keyword lookups never find it",
    });
    expect(cell(BYTEA, kw, 5)).toEqual({ reason: 'not a string' });
    expect(cell(BYTEA, kw, null)).toBeNull();
  });
});

describe('a text column through its field', () => {
  const TEXT: PgType = { kind: 'text' };
  const kw = { ignoreAbove: 3, limitField: 'v.keyword' };

  it('the exact string, up to the keyword limit', () => {
    expect(cell(TEXT, kw, 'abc')).toBe('abc');
    expect(cell(TEXT, kw, 'abcd')).toEqual({
      reason: "4 UTF-16 units, over v.keyword's ignore_above 3: keyword lookups never find it",
    });
  });

  it('a NULL only in a nullable column; anything else is no string', () => {
    expect(cell(TEXT, kw, null)).toBeNull();
    expect(cell(TEXT, kw, undefined)).toBeNull();
    expect(cell(TEXT, kw, 5)).toEqual({ reason: 'not a string or null' });
    expect(cell(TEXT, kw, null, false)).toEqual({ reason: 'not a string' });
    expect(cell(TEXT, kw, 5, false)).toEqual({ reason: 'not a string' });
  });

  it('a type that holds no text reads none, but a NULL is still null', () => {
    const unreadable = { ignoreAbove: null, limitField: null, unreadable: 'v is mapped as long, which holds no text' };
    expect(cell(TEXT, unreadable, 'abc')).toEqual({ reason: 'v is mapped as long, which holds no text' });
    expect(cell(TEXT, unreadable, null)).toBeNull();
  });
});

describe('an array column, element by element', () => {
  const TEXTS: PgType = { kind: 'array', element: { kind: 'text' } };
  const INTS: PgType = { kind: 'array', element: { kind: 'int4' } };
  const PRICES: PgType = { kind: 'array', element: PRICE };

  it('as the canonical JSON text of its elements, NULL elements kept', () => {
    expect(cell(TEXTS, { element: { ignoreAbove: 2, limitField: 'v' } }, ['a', null, 'bc'])).toBe('["a",null,"bc"]');
    expect(cell(PRICES, undefined, ['1.5', 2])).toBe('["1.50","2.00"]');
    expect(cell(INTS, undefined, [])).toBe('[]');
  });

  it('the first element that cannot be read, by its index', () => {
    expect(cell(TEXTS, { element: { ignoreAbove: 1, limitField: 'v' } }, ['a', 'bc'])).toEqual({
      reason: "element 1: 2 UTF-16 units, over v's ignore_above 1: keyword lookups never find it",
    });
    expect(cell(TEXTS, undefined, ['a', 5])).toEqual({ reason: 'element 1: not a string or null' });
    expect(cell(INTS, { element: SHORT }, [1, 40_000, 'x'])).toEqual({ reason: "element 1: out of short's range" });
  });

  it('anything but an array is none', () => {
    expect(cell(TEXTS, undefined, 'a')).toEqual({ reason: 'not an array' });
    expect(cell(TEXTS, undefined, null)).toBeNull();
  });
});

describe("a table's compared columns", () => {
  const table = (columns: Column[], extra: Partial<TableModel> = {}): TableModel => ({
    name: 't',
    key: ['id'],
    columns: [col('id', { kind: 'int8' }, false), ...columns],
    foreignKeys: [],
    replicaIdentity: 'default',
    ...extra,
  });
  const none: IndexReading = { declared: new Set(), columns: {} };

  it('leave out lossy columns and types without a normaliser', () => {
    const t = table([
      { ...col('note', { kind: 'text' }), lossy: 'not compared' },
      col('slot', { kind: 'other', name: 'point' }),
      col('label', { kind: 'text' }),
    ]);
    const source = { id: 1, note: 5, slot: '(1,2)', label: 'a' };
    expect(readSource<Row>(source, { ...none, table: t })).toEqual({ ok: true, row: { id: 1, label: 'a' } });
    expect(normaliseSource<Row>(source, DEFAULT_DATE_READING, t)).toEqual({ ok: true, row: { id: 1, label: 'a' } });
  });

  it('a computed column is null when absent, though NOT NULL: an unacknowledged write cannot know it', () => {
    const t = table(
      [{ ...col('total', { kind: 'int4' }, false), generated: true }, col('ref', { kind: 'int4' }, false)],
      {
        idColumn: 'ref',
      },
    );
    expect(readSource<Row>({ id: 1 }, { ...none, table: t })).toEqual({
      ok: true,
      row: { id: 1, total: null, ref: null },
    });
    const plain = table([col('total', { kind: 'int4' }, false)]);
    expect(readSource<Row>({ id: 1 }, { ...none, table: plain })).toMatchObject({ ok: false, reason: 'null' });
  });

  it("a column without a reading is read by its type's default, even one named like a products column", () => {
    // Products' own readings are for products only: "name" here is an integer, read as a double field holds it.
    const t = table([col('name', { kind: 'int4' })]);
    expect(readSource<Row>({ id: 1, name: 16_777_217 }, { ...none, table: t })).toEqual({
      ok: true,
      row: { id: 1, name: 16_777_217 },
    });
  });

  it('a key that is no integer is named with its reason', () => {
    expect(readSource<Row>({ id: 'x' }, { ...none, table: table([]) })).toEqual({
      ok: false,
      field: 'id',
      value: 'x',
      reason: 'not an integer',
    });
  });
});

describe('normaliseSource: a NOT NULL timestamp column', () => {
  const t: TableModel = {
    name: 't',
    key: ['id'],
    columns: [col('id', { kind: 'int8' }, false), col('at', { kind: 'timestamptz', precision: null }, false)],
    foreignKeys: [],
    replicaIdentity: 'default',
  };

  it('is the instant, and a NULL there is refused', () => {
    expect(normaliseSource<Row>({ id: 1, at: 5 }, DEFAULT_DATE_READING, t)).toEqual({
      ok: true,
      row: { id: 1, at: 5 },
    });
    expect(normaliseSource<Row>({ id: 1, at: null }, DEFAULT_DATE_READING, t)).toEqual({
      ok: false,
      field: 'at',
      value: null,
      reason: 'null',
    });
  });
});
