import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecOf, parsePgArray } from '../../model/codecs.ts';
import type { PgType } from '../../model/pg-type.ts';
import type { Column } from '../../model/table.ts';
import { draw, seededRandom } from '../rng.ts';
import type { SqlParam } from './ops.ts';
import { defaultIntent } from './defaults.ts';
import { intentOf, pgArrayText, timestampMs, timestampText, UnsupportedColumn, valueArb } from './values.ts';

const col = (type: PgType, nullable = false, def: string | null = null): Column => ({
  name: 'c',
  type,
  nullable,
  default: def,
  toastable: false,
});

function sample(column: Column, n = 3_000, seed = 1): SqlParam[] {
  const mrng = seededRandom(seed);
  const arb = valueArb(column);
  return Array.from({ length: n }, () => draw(arb, mrng));
}

const ENUM: PgType = { kind: 'enum', name: 'order_status', labels: ['pending', 'paid', 'shipped', 'cancelled'] };
const TYPES: PgType[] = [
  { kind: 'int2' },
  { kind: 'int4' },
  { kind: 'int8' },
  { kind: 'float8' },
  { kind: 'numeric', precision: 12, scale: 4 },
  { kind: 'numeric', precision: null, scale: null },
  { kind: 'bool' },
  { kind: 'text' },
  { kind: 'varchar', length: 120 },
  { kind: 'bpchar', length: 3 },
  { kind: 'uuid' },
  ENUM,
  { kind: 'jsonb' },
  { kind: 'bytea' },
  { kind: 'date' },
  { kind: 'timestamp', precision: null },
  { kind: 'timestamptz', precision: 3 },
  { kind: 'array', element: { kind: 'text' } },
  { kind: 'array', element: { kind: 'int4' } },
];

describe('valueArb', () => {
  it.each(TYPES.map((t) => [JSON.stringify(t), t] as const))(
    '%s: never NULL when NOT NULL; each value is one the column codec reads',
    (_, type) => {
      const column = col(type);
      const codec = codecOf(column)!;
      for (const v of sample(column, 1_000)) {
        expect(v).not.toBeNull();
        const intent = intentOf(column, v);
        expect(intent, JSON.stringify(v)).not.toBeUndefined();
        expect(codec.fromPg(intent), JSON.stringify(v)).toBe(intent); // already normalised
      }
    },
  );

  it('NULL only in nullable columns, and there sometimes', () => {
    const values = sample(col({ kind: 'text' }, true));
    expect(values.filter((v) => v === null).length).toBeGreaterThan(100);
    expect(values).toContain('');
  });

  it('integers at their limits, within JS safe integers for bigint', () => {
    expect(sample(col({ kind: 'int2' }))).toEqual(expect.arrayContaining([-32_768, 32_767, 0]));
    const big = sample(col({ kind: 'int8' })) as number[];
    expect(big).toEqual(expect.arrayContaining([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]));
    expect(big.every((v) => Number.isSafeInteger(v))).toBe(true);
  });

  it('numeric(12,4) at its precision and scale limits, and NaN (the codec keeps it)', () => {
    const column = col({ kind: 'numeric', precision: 12, scale: 4 });
    const values = sample(column) as string[];
    expect(values).toEqual(expect.arrayContaining(['99999999.9999', '-99999999.9999', '0.0001', 'NaN']));
    for (const v of values) {
      if (v === 'NaN') continue;
      const m = /^-?(\d+)(?:\.(\d+))?$/.exec(v)!;
      expect(m[1]!.replace(/^0+(?=\d)/, '').length, v).toBeLessThanOrEqual(8);
      expect((m[2] ?? '').length, v).toBeLessThanOrEqual(4);
    }
    expect(intentOf(column, 'NaN')).toBe('NaN');
    expect(intentOf(column, '1.5')).toBe('1.5000');
  });

  it('text: unicode of every kind, no NUL; varchar(n) up to exactly n code points', () => {
    const text = (sample(col({ kind: 'text' })) as string[]).join('');
    for (const piece of ['😀', 'e\u0301', 'שלום', '\u200b']) expect(text).toContain(piece);
    expect(text).not.toContain('\u0000');
    const lengths = (sample(col({ kind: 'varchar', length: 120 })) as string[]).map((s) => Array.from(s).length);
    expect(Math.max(...lengths)).toBe(120);
    const short = sample(col({ kind: 'varchar', length: 5 })) as string[];
    expect(short.every((s) => Array.from(s).length <= 5)).toBe(true);
    expect(short.some((s) => /[\uD800-\uDBFF]$/.test(s))).toBe(false); // no lone high surrogate at a cut
  });

  it('uuid sometimes upper case, recorded lower case (as Postgres prints it)', () => {
    const values = sample(col({ kind: 'uuid' })) as string[];
    expect(values.some((u) => /[A-F]/.test(u))).toBe(true);
    for (const u of values) expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
    expect(intentOf(col({ kind: 'uuid' }), 'ABCDEF00-0000-4000-8000-000000000000')).toBe(
      'abcdef00-0000-4000-8000-000000000000',
    );
  });

  it('jsonb: nesting and key orders, recorded with sorted keys', () => {
    const values = sample(col({ kind: 'jsonb' })) as string[];
    expect(values.some((v) => /^\{.*\{/.test(v))).toBe(true);
    expect(intentOf(col({ kind: 'jsonb' }), '{"b":1,"a":{"d":2,"c":3}}')).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it('arrays: empty, NULL elements, quoted texts that look like syntax', () => {
    const column = col({ kind: 'array', element: { kind: 'text' } });
    const values = sample(column) as string[];
    expect(values).toEqual(expect.arrayContaining(['{}', '{NULL}']));
    expect(values.some((v) => v.includes(',NULL') || v.startsWith('{NULL,'))).toBe(true);
    const items = ['a,b', 'NULL', '"q"', 'back\\slash', '', null, '😀'];
    expect(parsePgArray(pgArrayText(items))).toEqual(items);
    expect(intentOf(column, pgArrayText(items))).toBe(JSON.stringify(items));
  });

  it('dates and timestamps at the epoch, before 1970, on leap days and far ahead', () => {
    expect(sample(col({ kind: 'date' }))).toEqual(
      expect.arrayContaining(['1970-01-01', '1969-12-31', '2024-02-29', '9999-12-31']),
    );
    const ts = (sample(col({ kind: 'timestamptz', precision: null })) as string[]).map((t) => timestampMs(t)!);
    expect(ts).toEqual(expect.arrayContaining([0, -1]));
    expect(Math.max(...ts)).toBeGreaterThan(Date.UTC(9999, 0, 1));
  });

  it('timestamptz in several offsets: the text names the instant (also across a DST change)', () => {
    expect(timestampMs('2024-03-31T02:30:00+02:00')).toBe(Date.parse('2024-03-31T00:30:00Z'));
    const at = Date.UTC(2024, 2, 31, 0, 30, 0, 123);
    for (const offset of [0, 120, -300, 330, 345, 840, -720]) {
      const text = timestampText(at, 6, 456, offset);
      expect(timestampMs(text), text).toBe(at);
      expect(Date.parse(text)).toBe(at);
    }
    expect(timestampText(at, 6, 456, 120)).toBe('2024-03-31T02:30:00.123456+02:00');
    expect(timestampText(-1, 3, 999, null)).toBe('1969-12-31T23:59:59.999');
    expect(timestampText(at, 0, 0, -300)).toBe('2024-03-30T19:30:00-05:00');
    // Floored, like the snapshot reader's floor(extract(epoch) * 1000).
    expect(timestampMs('1969-12-31T23:59:59.9995')).toBe(-1);
  });

  it('bytea as \\x hex text, recorded as base64; enums any label; bool both ways', () => {
    const bytes = sample(col({ kind: 'bytea' })) as string[];
    expect(bytes).toContain('\\x');
    for (const b of bytes) expect(b).toMatch(/^\\x([0-9a-f]{2})*$/);
    expect(intentOf(col({ kind: 'bytea' }), '\\xff00')).toBe('/wA=');
    expect(new Set(sample(col(ENUM)))).toEqual(new Set(['pending', 'paid', 'shipped', 'cancelled']));
    expect(new Set(sample(col({ kind: 'bool' })))).toEqual(new Set([true, false]));
  });

  it('refuses a type it cannot write, naming the column', () => {
    expect(() => valueArb(col({ kind: 'time', precision: null }))).toThrow(UnsupportedColumn);
    expect(() => valueArb(col({ kind: 'other', name: 'tsrange' }))).toThrow(/column c.*tsrange/);
  });

  it('the same seed draws the same values', () => {
    const column = col({ kind: 'jsonb' }, true);
    expect(sample(column, 200, 5)).toEqual(sample(column, 200, 5));
    expect(sample(column, 200, 5)).not.toEqual(sample(column, 200, 6));
  });

  it('fast-check agrees: every draw of every type has an intent', () => {
    for (const t of TYPES)
      fc.assert(
        fc.property(valueArb(col(t, true)), (v) => intentOf(col(t, true), v) !== undefined),
        { numRuns: 200 },
      );
  });
});

describe('defaultIntent', () => {
  it('constant defaults are known, computed ones are not', () => {
    expect(defaultIntent(col({ kind: 'bool' }, false, 'false'))).toBe(false);
    expect(defaultIntent(col({ kind: 'int4' }, false, '(-1)'))).toBe(-1);
    expect(defaultIntent(col(ENUM, false, "'paid'::order_status"))).toBe('paid');
    expect(defaultIntent(col({ kind: 'text' }, false, "'it''s'::text"))).toBe("it's");
    expect(defaultIntent(col({ kind: 'timestamptz', precision: null }, false, 'now()'))).toBeUndefined();
    expect(defaultIntent(col({ kind: 'int8' }, false, "nextval('s'::regclass)"))).toBeUndefined();
    expect(defaultIntent(col({ kind: 'text' }, true, null))).toBeUndefined();
  });
});
