/**
 * Values per column type for the table workload: a fast-check arbitrary that gives what node-postgres binds and
 * Postgres accepts for the column (the statements cast each parameter, so text forms are fine), weighted towards
 * the edge values real data has, and the normalised value Postgres stores for it (`intentOf`), which the
 * workload records for writes whose commit was not acknowledged.
 */
import fc from 'fast-check';
import { canonicalJson, codecOf, parsePgArray } from '../../model/codecs.ts';
import type { PgType } from '../../model/pg-type.ts';
import { NUMBER_KINDS, TIME_KINDS, type Column, type Value, type ValueRange } from '../../model/table.ts';
import type { SqlParam } from './ops.ts';

/** A column whose type has no normaliser (or is not generated here): it cannot be written by the workload. */
export class UnsupportedColumn extends Error {}

const NULL_SHARE = 10; // weight of NULL against 90 for a value, in nullable columns

/** Values of the column: never NULL unless the column is nullable. */
export function valueArb(column: Column): fc.Arbitrary<SqlParam> {
  if (codecOf(column) === undefined || column.lossy !== undefined)
    throw new UnsupportedColumn(`column ${column.name}: the workload cannot write type ${describe(column.type)}`);
  const time = TIME_KINDS.has(column.type.kind);
  const range = NUMBER_KINDS.has(column.type.kind) || time ? column.range : undefined;
  const drawn = typeArb(column.type, column.name);
  const value = range ? drawn.filter((v) => inRange(v, range, time)) : drawn;
  if (!column.nullable) return value;
  return fc.oneof({ weight: 100 - NULL_SHARE, arbitrary: value }, { weight: NULL_SHARE, arbitrary: fc.constant(null) });
}

/** A column's value within the definition's range: numbers by value, dates and times as instants. */
function inRange(v: SqlParam, r: ValueRange, time: boolean): boolean {
  const at = (x: SqlParam | number | string): number => (time ? Date.parse(String(x)) : Number(x));
  const n = at(v);
  if (Number.isNaN(n) || !Number.isFinite(n)) return !r.finite && r.min === undefined && r.max === undefined;
  return (r.min === undefined || n >= at(r.min)) && (r.max === undefined || n <= at(r.max));
}

function describe(t: PgType): string {
  return t.kind === 'other' ? t.name : t.kind;
}

/** Edge values (a third of the draws) and ordinary ones. */
function withEdges<T>(edges: readonly T[], ordinary: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...edges) }, { weight: 2, arbitrary: ordinary });
}

const INT_LIMITS: Record<'int2' | 'int4' | 'int8', [number, number]> = {
  int2: [-32_768, 32_767],
  int4: [-2_147_483_648, 2_147_483_647],
  // Rows are normalised to JS numbers: stay within the safe integers.
  int8: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function typeArb(t: PgType, name: string): fc.Arbitrary<SqlParam> {
  switch (t.kind) {
    case 'int2':
    case 'int4':
    case 'int8': {
      const [min, max] = INT_LIMITS[t.kind];
      return withEdges([min, max, 0, -1, 1], fc.integer({ min: Math.max(min, -1e6), max: Math.min(max, 1e6) }));
    }
    case 'float4':
    case 'float8':
      // Quarters of small integers: exact in float4 too, so the stored value is the one written.
      return withEdges<SqlParam>(
        [0, -0.5, 'NaN', 'Infinity', '-Infinity'],
        fc.integer({ min: -4_000_000, max: 4_000_000 }).map((q) => q / 4),
      );
    case 'numeric':
      return numericArb(t.precision, t.scale);
    case 'bool':
      return fc.boolean();
    case 'text':
      return textArb(null);
    case 'varchar':
      return textArb(t.length);
    case 'bpchar':
      // char(n) pads with spaces and ::text strips them: write exactly n non-space-ending code points.
      return textArb(t.length ?? 1, true);
    case 'uuid':
      return fc.tuple(uuidArb(), fc.integer({ min: 0, max: 3 })).map(([u, c]) => (c === 0 ? u.toUpperCase() : u));
    case 'enum':
      if (t.labels.length === 0) throw new UnsupportedColumn(`column ${name}: enum ${t.name} has no labels`);
      return fc.constantFrom(...t.labels);
    case 'json':
    case 'jsonb':
      return jsonArb();
    case 'bytea':
      return withEdges(
        ['\\x', '\\x00', '\\xff00'],
        fc.uint8Array({ maxLength: 64 }).map((b) => `\\x${Buffer.from(b).toString('hex')}`),
      );
    case 'date':
      return withEdges(
        ['1970-01-01', '1969-12-31', '2000-02-29', '2024-02-29', '1900-03-01', '0001-01-01', '9999-12-31'],
        fc.integer({ min: -700_000, max: 2_900_000 }).map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10)),
      );
    case 'timestamp':
    case 'timestamptz':
      return timestampArb(t.kind === 'timestamptz', t.precision ?? 6);
    case 'array': {
      const element = typeArb(t.element, name);
      const item = fc.oneof({ weight: 5, arbitrary: element }, { weight: 1, arbitrary: fc.constant(null) });
      return withEdges(
        ['{}', '{NULL}'],
        fc.array(item, { maxLength: 6 }).map((items) => pgArrayText(items)),
      );
    }
    default:
      throw new UnsupportedColumn(`column ${name}: the workload cannot write type ${describe(t)}`);
  }
}

/** Postgres' text form of a one-dimensional array, every element quoted (so "NULL", "" and commas stay text). */
export function pgArrayText(items: readonly SqlParam[]): string {
  const quoted = items.map((v) =>
    v === null ? 'NULL' : `"${String(v).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`,
  );
  return `{${quoted.join(',')}}`;
}

function numericArb(precision: number | null, scale: number | null): fc.Arbitrary<SqlParam> {
  if (precision === null) {
    // Any scale: long digits, tiny fractions, NaN (Postgres' numeric holds it; the codec keeps it as "NaN").
    const digits = (max: number): fc.Arbitrary<string> =>
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: max }).map((d) => d.join(''));
    const ordinary = fc
      .tuple(fc.boolean(), digits(20), fc.option(digits(12), { nil: undefined }))
      .map(([neg, i, f]) => `${neg && /[1-9]/.test(i + (f ?? '')) ? '-' : ''}${i}${f === undefined ? '' : `.${f}`}`);
    return withEdges(['0', 'NaN', '-0.000000000001', '123456789012345678901234567890.5'], ordinary);
  }
  const s = Math.max(0, scale ?? 0);
  const intDigits = Math.max(0, precision - s);
  const nines = (n: number): string => '9'.repeat(n);
  const max = `${nines(intDigits) || '0'}${s > 0 ? `.${nines(s)}` : ''}`;
  const smallest = s > 0 ? `0.${'0'.repeat(s - 1)}1` : '1';
  const ordinary = fc
    .tuple(
      fc.boolean(),
      fc.integer({ min: 0, max: 10 ** Math.min(intDigits, 15) - 1 }),
      fc.integer({ min: 0, max: 10 ** Math.min(s, 15) - 1 }),
    )
    .map(
      ([neg, i, f]) =>
        `${neg && i + f > 0 ? '-' : ''}${i}${s > 0 ? `.${String(f).padStart(Math.min(s, 15), '0')}` : ''}`,
    );
  // Postgres accepts NaN in numeric(p,s) as well, and the codec keeps it as "NaN".
  return withEdges([max, `-${max}`, smallest, `-${smallest}`, '0', 'NaN'], ordinary);
}

/** Pieces of text real data has: astral, combining, right-to-left, zero-width, quotes and backslashes. */
const PIECES = [
  'a',
  'Z',
  ' ',
  'é',
  'e\u0301',
  '😀',
  '👩‍💻',
  '𝔘',
  'שלום',
  'مرحبا',
  '\u200b',
  '\u200d',
  '\ufeff',
  '\u202e',
  "'",
  '"',
  '\\',
  ',',
  '{',
  'NULL',
  '\t',
  '\n',
  '中文',
];

function textArb(length: number | null, exact = false): fc.Arbitrary<string> {
  const limit = length ?? 200;
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }) },
    { weight: 2, arbitrary: fc.constantFrom(...PIECES) },
  );
  const joined = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));
  const fill = joined.map((s) => clampCodePoints(s.replaceAll('\u0000', ''), limit));
  if (exact) return fill.map((s) => padToCodePoints(s.replace(/\s+$/u, ''), limit));
  const edges = ['', 'NULL', ...(length === null ? [] : [padToCodePoints('😀', length)])];
  return withEdges(edges, fill);
}

/** At most n code points (never a lone surrogate). */
export function clampCodePoints(s: string, n: number): string {
  const cps = Array.from(s);
  return cps.length <= n ? s : cps.slice(0, n).join('');
}

/** Exactly n code points: `s` cut, or repeated 'x' then the astral 'a😀' pattern up to n. */
function padToCodePoints(s: string, n: number): string {
  const cps = Array.from(s).slice(0, n);
  for (let i = cps.length; i < n; i++) cps.push(i % 2 === 0 ? '😀' : 'x');
  return cps.join('');
}

function uuidArb(): fc.Arbitrary<string> {
  return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => uuidOf(b));
}

/** A version-4 uuid text (lower case) of 16 bytes. */
export function uuidOf(bytes: Uint8Array): string {
  const b = Buffer.from(bytes);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** JSON text: nesting, unicode keys, and the same keys in several orders (jsonb keeps no order). */
function jsonArb(): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom('a', 'b', 'z', 'é', '😀', 'key with space', ''), fc.string({ maxLength: 6 }));
  const leaf = fc.oneof(
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom('text', 'e\u0301', '😀', '\u200b', ''),
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  }));
  const ordered = fc.tuple(value, fc.boolean()).map(([v, reverse]) => JSON.stringify(reverse ? reversed(v) : v));
  return withEdges(['{}', '[]', '{"b":1,"a":{"d":[1,{"y":null,"x":"😀"}],"c":2}}', 'null', '"e\u0301"'], ordered);
}

/** The same object with its keys in reverse order at every depth. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).reverse()) out[k] = reversed((v as Record<string, unknown>)[k]);
  return out;
}

/** UTC offsets timestamptz values are written in (minutes east of UTC). */
const OFFSETS = [0, 120, -300, 330, 345, 840, -720, 60];

/**
 * Instants at the epoch, before 1970, at DST changes (Europe 2024-03-31, US 2024-11-03), leap days and far
 * ahead (9999), and ordinary ones; sub-millisecond digits only as far as the column's precision keeps them.
 */
function timestampArb(zoned: boolean, precision: number): fc.Arbitrary<string> {
  const edges = [
    0,
    -1,
    -86_400_000,
    Date.UTC(2024, 2, 31, 0, 30),
    Date.UTC(2024, 2, 31, 1, 0),
    Date.UTC(2024, 10, 3, 6, 0),
    Date.UTC(2024, 1, 29, 12),
    Date.UTC(1900, 0, 1),
    Date.UTC(9999, 11, 30, 23, 59, 59, 999),
  ];
  const ms = withEdges(edges, fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 0, 1) }));
  const micros = fc.integer({ min: 0, max: 999 });
  return fc
    .tuple(ms, micros, fc.constantFrom(...OFFSETS))
    .map(([t, us, offset]) => timestampText(t, precision, us, zoned ? offset : null));
}

/**
 * A timestamp's text: ISO with as many fraction digits as `precision` keeps (0–6), with `offset` (minutes) for
 * timestamptz, none for timestamp.
 */
export function timestampText(ms: number, precision: number, micros: number, offset: number | null): string {
  const local = new Date(ms + (offset ?? 0) * 60_000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const frac = `${local.slice(20, 23)}${String(micros).padStart(3, '0')}`.slice(0, Math.min(6, precision));
  const base = local.slice(0, 19) + (frac.length > 0 ? `.${frac}` : '');
  if (offset === null) return base;
  const a = Math.abs(offset);
  const hh = String(Math.floor(a / 60)).padStart(2, '0');
  const mm = String(a % 60).padStart(2, '0');
  return `${base}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

const TS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2}):(\d{2}))?$/;

/** Epoch milliseconds (floored) of a timestampText: the instant, or the wall clock read as UTC without offset. */
export function timestampMs(text: string): number | undefined {
  const m = TS.exec(text);
  if (m === null) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)));
  const offset = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  return d.getTime() - offset * 60_000;
}

/**
 * The normalised value Postgres stores for a parameter of the column (what the snapshot reader and RETURNING give,
 * through the column's codec): a uuid in lower case, JSON with sorted keys, bytea as base64, a timestamp as
 * epoch ms. Undefined when the parameter is none of the column's values.
 */
export function intentOf(column: Column, param: SqlParam): Value | undefined {
  if (param === null) return column.nullable ? null : undefined;
  return typeIntent(column.type, param);
}

function typeIntent(t: PgType, param: Exclude<SqlParam, null>): Value | undefined {
  switch (t.kind) {
    case 'int2':
    case 'int4':
    case 'int8':
      return Number(param);
    case 'float4':
    case 'float8':
      return typeof param === 'number' ? param : String(param);
    case 'uuid':
      return String(param).toLowerCase();
    case 'bool':
      return param === true || param === 'true' || param === 't';
    case 'bpchar':
      return String(param).replace(/ +$/, '');
    case 'json':
    case 'jsonb':
      return canonicalJson(JSON.parse(String(param)));
    case 'timestamp':
    case 'timestamptz':
      return timestampMs(String(param));
    case 'array': {
      const items = parsePgArray(String(param));
      if (items === undefined) return undefined;
      const out: Value[] = [];
      for (const item of items) {
        const v = item === null ? null : typeIntent(t.element, item);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return JSON.stringify(out);
    }
    default: {
      const codec = codecOf({ name: '', type: t, nullable: false, default: null, toastable: false });
      return codec?.fromPg(typeof param === 'boolean' ? param : String(param));
    }
  }
}
