import { canonicalJson, codecOf, wallClockAsUtc, type Codec } from '../model/codecs.ts';
import { canonicalDecimal, isCanonicalDecimal } from '../model/decimal.ts';
import { PRODUCTS } from '../model/products.ts';
import { columnNames, isComputed, type Row, type TableModel, type Value } from '../model/table.ts';
import type { ProductRow } from '../record/history.ts';
import {
  DEFAULT_INDEX_READING,
  defaultReading,
  elementKindOf,
  readingKindOf,
  type ArrayReading,
  type BooleanReading,
  type BytesReading,
  type FieldReading,
  type IndexReading,
  type JsonReading,
  type NumberReading,
  type ReadingKind,
  type TextReading,
} from './mapping.ts';
import { DEFAULT_DATE_READING, describeReading, normaliseTimestamp, type DateReading } from './timestamps.ts';

/**
 * Normalisation rules: how a Postgres row and an Elasticsearch `_source` are brought to one comparable shape,
 * the table's normalised row (`ProductRow` for products, the default). Column by column, as the table model
 * (harness/model/) and the index's reading of each column say. Every field function returns `undefined` when
 * the value cannot be normalised; a document with such a field equals no committed version, so the checker
 * calls it `corrupt`. The rules are deliberately
 * narrow: a lenient rule would turn a real type-mangling bug into "equal".
 */

/** Why a value could not be normalised. */
export interface NormaliseFailure {
  ok: false;
  field: string;
  value: unknown;
  reason: string;
}

/** The row, typed as products' unless the caller names the row type of its table. */
export type NormaliseResult<R extends Row = ProductRow> = { ok: true; row: R } | NormaliseFailure;

/**
 * price, NUMERIC(10,2) → a decimal string with exactly two fraction digits ("19.90").
 *
 * - Strings are parsed digit by digit, never through a float: "19.9" and "19.90" are the same value, and a
 *   float parse could turn a mangled "19.999" into something that rounds to a committed price.
 * - Numbers (Debezium `decimal.handling.mode=double`) go through `String(n)`, the shortest text that reads
 *   back as the same double, which for any value with at most two fraction digits is exactly those digits.
 * - Extra fraction digits are allowed only when they are zeros: NUMERIC(10,2) cannot hold 19.999, so a
 *   document that does was mangled somewhere.
 * - Anything else is rejected, notably `decimal.handling.mode=precise` through JSON, where the price arrives as
 *   the base64 of the unscaled big-endian two's-complement bytes ("B88=" for 19.99). Every reader of the index
 *   sees that string, not a price; decoding it here would call a broken pipeline equal, so it stays corrupt.
 *   (A base64 text made only of digits, e.g. "1234", parses as a decimal, but never as the price it encodes.)
 */
export function normalisePrice(value: unknown): string | undefined {
  return normaliseDecimal(value, 2);
}

/** A NUMERIC value at the column's scale (null: none) → its canonical decimal string (see model/decimal.ts). */
function normaliseDecimal(value: unknown, scale: number | null): string | undefined {
  if (typeof value === 'string') return canonicalDecimal(value, scale);
  if (typeof value === 'number' && Number.isFinite(value)) return canonicalDecimal(String(value), scale);
  return undefined;
}

const productsCodec = (name: string): Codec => codecOf(PRODUCTS.columns.find((c) => c.name === name)!)!;
const PRODUCT_ID = productsCodec('product_id');
const NAME = productsCodec('name');
const DESCRIPTION = productsCodec('description');

/**
 * product_id, SERIAL → a number. ES may hold it as a number or, when a sink stringifies keys, as a numeric
 * string; anything that is not a safe integer is not an id.
 */
export function normaliseProductId(value: unknown): number | undefined {
  return PRODUCT_ID.fromPg(value) as number | undefined;
}

/**
 * name, VARCHAR NOT NULL → the exact string. No trimming and no Unicode normalisation (NFC): the pipeline
 * must carry text byte-exact, and a sink that re-encodes emoji or combining marks is a bug to report, not to
 * forgive. Debezium's unchanged-TOAST placeholder `__debezium_unavailable_value` is left alone on purpose: it
 * is a string that equals no committed version, which is exactly what makes it `corrupt`.
 */
export function normaliseName(value: unknown): string | undefined {
  return NAME.fromPg(value) as string | undefined;
}

/** description, TEXT NULL → the exact string (rules as for name); null or an absent field is null. */
export function normaliseDescription(value: unknown): string | null | undefined {
  return DESCRIPTION.fromPg(value) as string | null | undefined;
}

/** How one column is read: its reading kind (by PG type), its codec, its scale for NUMERIC. */
interface ColumnPlan {
  name: string;
  kind: ReadingKind;
  nullable: boolean;
  scale: number | null;
  codec: Codec;
  /** The column's reading when the index reading has none for it. */
  fallback: FieldReading;
  /** An array column read element by element: its elements' plan (nullable: NULL elements are kept). */
  element?: ColumnPlan;
}

/** A table's compared columns (lossy ones are not), its document fields, and a builder of its row objects. */
interface TablePlan {
  columns: ColumnPlan[];
  fields: ReadonlySet<string>;
  /** The row of the values in column order, as one object literal (one shape for every row: fast to compare). */
  build: (values: readonly Value[]) => Row;
  /** Scratch values for build (single-threaded; copied into the row). */
  values: Value[];
}

const PLANS = new WeakMap<TableModel, TablePlan>();
let lastTable: TableModel | undefined;
let lastPlan: TablePlan | undefined;

/** The plan of a table, computed once per table model. */
function planOf(table: TableModel): TablePlan {
  if (table === lastTable) return lastPlan!;
  let plan = PLANS.get(table);
  if (plan === undefined) {
    const fallback = table === PRODUCTS ? DEFAULT_INDEX_READING : undefined;
    const columns = table.columns.flatMap((c): ColumnPlan[] => {
      const codec = codecOf(c);
      if (c.lossy !== undefined || codec === undefined) return [];
      const kind = readingKindOf(table, c);
      const scale = c.type.kind === 'numeric' ? c.type.scale : null;
      const elementKind = elementKindOf(table, c);
      const f = fallback?.columns[c.name] ?? defaultReading(kind, elementKind);
      // A computed column reads as null in an unacknowledged write's intent, which cannot know its value.
      const nullable = c.nullable || isComputed(table, c);
      const plan: ColumnPlan = { name: c.name, kind, nullable, scale, codec, fallback: f };
      if (kind === 'array' && c.type.kind === 'array') {
        const t = c.type.element;
        plan.element = {
          name: c.name,
          kind: elementKind!,
          nullable: true,
          scale: t.kind === 'numeric' ? t.scale : null,
          codec: codecOf({ ...c, type: t })!,
          fallback: defaultReading(elementKind!),
        };
      }
      return [plan];
    });
    // Column names are JSON-quoted into the literal's keys: any name is a valid key, none is code.
    const literal = columns.map((c, i) => `${JSON.stringify(c.name)}: v[${i}]`).join(', ');
    const build = new Function('v', `return { ${literal} };`) as TablePlan['build'];
    plan = { columns, fields: columnNames(table), build, values: new Array<Value>(columns.length).fill(null) };
    PLANS.set(table, plan);
  }
  lastTable = table;
  lastPlan = plan;
  return plan;
}

/** One column of a document as the index reads it (bound to the column's field reading). */
type Reader = (value: unknown) => Value | Unread;

/** Per index reading: the table's plan and one reader per compared column. */
interface ReadingPlan {
  table: TablePlan;
  readers: Reader[];
}

const READING_PLANS = new WeakMap<IndexReading, ReadingPlan>();
let lastReading: IndexReading | undefined;
let lastReadingPlan: ReadingPlan | undefined;

function readingPlanOf(reading: IndexReading): ReadingPlan {
  if (reading === lastReading) return lastReadingPlan!;
  let rp = READING_PLANS.get(reading);
  if (rp === undefined) {
    const table = planOf(reading.table ?? PRODUCTS);
    rp = { table, readers: table.columns.map((p) => readerOf(p, reading.columns[p.name] ?? p.fallback)) };
    READING_PLANS.set(reading, rp);
  }
  lastReading = reading;
  lastReadingPlan = rp;
  return rp;
}

function readerOf(p: ColumnPlan, r: FieldReading): Reader {
  const orNull =
    (read: Reader): Reader =>
    (v) =>
      v === null || v === undefined ? (p.nullable ? null : { reason: 'null' }) : read(v);
  switch (p.kind) {
    case 'text':
    case 'identifier':
      return (v) => readText(v, r as TextReading, p.nullable);
    case 'integer':
      return orNull((v) => readInteger(p.name, v, r as NumberReading));
    case 'float':
      return orNull((v) => readFloat(p.name, v, r as NumberReading));
    case 'boolean':
      return orNull((v) => readBoolean(p.name, v, r as BooleanReading));
    case 'day':
      return orNull((v) => readDay(v, r as DateReading));
    case 'json':
      return orNull((v) => readJson(p, v, r as JsonReading));
    case 'bytes':
      return orNull((v) => readBytes(v, r as BytesReading));
    case 'array': {
      const each = readerOf(p.element!, (r as ArrayReading).element);
      return orNull((v) => readArray(v, each));
    }
    case 'number':
      return (v) =>
        p.nullable && (v === null || v === undefined) ? null : readNumber(p.name, v, r as NumberReading, p.scale);
    case 'date': {
      const dates = r as DateReading;
      return (v) => {
        const t = normaliseTimestamp(v, dates);
        if (t === undefined) return { reason: `not a timestamp the index reads (${describeReading(dates)})` };
        return t === null && !p.nullable ? { reason: 'null' } : t;
      };
    }
    default:
      return (v) => {
        const x = p.codec.fromPg(v);
        return x === undefined ? { reason: p.codec.reason } : x;
      };
  }
}

/**
 * A row-like object (a Postgres row, a history effect) → ProductRow, or the first field that cannot be
 * normalised. This is the row side: Postgres' NUMERIC also holds NaN, which is kept as the price "NaN" (no
 * index reads a document as that; see readPrice). Fields other than the five columns are ignored. Documents
 * are read with readSource, by the index's mapping.
 */
export function normaliseSource<R extends Row = ProductRow>(
  source: Readonly<Record<string, unknown>>,
  reading: DateReading = DEFAULT_DATE_READING,
  table: TableModel = PRODUCTS,
): NormaliseResult<R> {
  const plan = planOf(table);
  const { columns, values } = plan;
  for (let i = 0; i < columns.length; i++) {
    const p = columns[i]!;
    const value = source[p.name];
    if (p.kind === 'date') {
      const t = normaliseTimestamp(value, reading);
      if (t === undefined) return fail(p.name, value, `not a timestamp the index reads (${describeReading(reading)})`);
      if (t === null && !p.nullable) return fail(p.name, value, 'null');
      values[i] = t;
    } else {
      const v = p.codec.fromPg(value);
      if (v === undefined) return fail(p.name, value, p.codec.reason);
      values[i] = v;
    }
  }
  return { ok: true, row: plan.build(values) as R };
}

/**
 * A document's `_source` → the ProductRow a search user sees through the index's mapping, or the first field
 * the index cannot hold as the row's value (dropped, rejected or unreadable). Every field goes through its
 * reading: no shortcut on equal raw values (a millisecond number is not a millisecond date under
 * epoch_second). Fields beyond the five columns are not read here (see unexpectedFields).
 */
export function readSource<R extends Row = ProductRow>(
  source: Readonly<Record<string, unknown>>,
  reading: IndexReading = DEFAULT_INDEX_READING,
): NormaliseResult<R> {
  const { table, readers } = readingPlanOf(reading);
  const { columns, values } = table;
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i]!.name;
    const v = readers[i]!(source[name]);
    if (v !== null && typeof v === 'object') return fail(name, source[name], v.reason);
    values[i] = v;
  }
  return { ok: true, row: table.build(values) as R };
}

interface Unread {
  reason: string;
}

/**
 * bytea as the index holds it: base64 text in a binary field (anything else is rejected there), or the text as a
 * term in a keyword or text field. Postgres' own hex form is no document value: base64 only.
 */
function readBytes(value: unknown, r: BytesReading): string | null | Unread {
  if (!('binary' in r)) return readText(value, r, false);
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value))
    return { reason: 'not base64 text, which a binary field rejects' };
  return value;
}
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** An array, each element by its reader (NULL elements kept), as the canonical JSON text the row holds. */
function readArray(value: unknown, each: Reader): string | Unread {
  if (!Array.isArray(value)) return { reason: 'not an array' };
  const out: Value[] = [];
  for (const [i, x] of value.entries()) {
    const v = x === null ? null : each(x);
    if (v !== null && typeof v === 'object') return { reason: `element ${i}: ${v.reason}` };
    out.push(v);
  }
  return JSON.stringify(out);
}

/** A string field as the index holds it: the exact string, unless the mapping drops it from keyword lookups. */
function readText(value: unknown, r: TextReading, nullable: boolean): string | null | Unread {
  if (nullable && (value === null || value === undefined)) return null;
  if (r.unreadable !== undefined) return { reason: r.unreadable };
  if (typeof value !== 'string') return { reason: nullable ? 'not a string or null' : 'not a string' };
  if (r.ignoreAbove !== null && value.length > r.ignoreAbove)
    return {
      reason:
        `${value.length} UTF-16 units, over ${r.limitField}'s ignore_above ${r.ignoreAbove}: ` +
        'keyword lookups never find it',
    };
  return value;
}

/**
 * price as the index holds it, as a canonical decimal string comparable with the row's (or, when the index
 * holds a value no NUMERIC(10,2) has, some other string that equals no row), or why it holds none.
 * Elasticsearch's numeric types take finite values only: NaN (which Postgres' NUMERIC allows) is rejected,
 * or dropped under ignore_malformed.
 */
export function readPrice(value: unknown, r: NumberReading): string | Unread {
  return readNumber('price', value, r, 2);
}

/** A NUMERIC column of that scale as the index holds it (see readPrice). */
function readNumber(column: string, value: unknown, r: NumberReading, scale: number | null): string | Unread {
  if (r.kind === 'unreadable') return { reason: `${column} is mapped as ${r.type}, which holds no number` };
  if (r.kind === 'keyword') {
    const s = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    if (s === undefined) return { reason: 'not a string or number' };
    if (r.ignoreAbove !== null && s.length > r.ignoreAbove) return { reason: `over ignore_above ${r.ignoreAbove}` };
    // An unconstrained NUMERIC keeps each value's own scale ("8871.210"), which the row side does not keep (it is
    // compared without trailing zeros): its term is read alike. A column with a scale keeps the exact term.
    if (scale === null) return canonicalDecimal(s, null) ?? s;
    return s; // a keyword is an exact term: "19.9" is not "19.90"
  }
  const dropped = r.ignoreMalformed ? ' (ignore_malformed: the index keeps the document without it)' : '';
  if (r.kind === 'decimal') {
    const d = normaliseDecimal(value, scale);
    const digits = scale === null ? 'a decimal' : `a decimal with at most ${scale} fraction digits`;
    return d ?? { reason: `not ${digits}${dropped}` };
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' && NUMERIC.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return { reason: `not a finite number${dropped}` };
  const held = heldNumber(n, r, scale);
  if (typeof held !== 'string') return { reason: held.reason + dropped };
  // A search user sees both what the index holds (queries, sorts) and the _source (the hit): both must be the row's.
  const shown = normaliseDecimal(value, scale);
  return shown === held ? held : `${shown ?? JSON.stringify(value)} (held as ${held})`;
}

/** What an integer, scaled_float or float field holds for a finite number, as a decimal string at the scale. */
function heldNumber(n: number, r: NumberReading, scale: number | null): string | Unread {
  if (r.kind === 'integer') {
    const t = Math.trunc(n); // coerce truncates fractions toward zero
    if (t < r.min || t > r.max) return { reason: `out of ${r.type}'s range` };
    return decimalText(t, scale);
  }
  if (r.kind === 'scaled') {
    if (!(r.factor > 0)) return { reason: 'scaled_float without a positive scaling_factor' };
    return decimalText(Math.round(n * r.factor) / r.factor, scale);
  }
  const half = r.kind === 'float' && r.bits === 16;
  const round = half ? roundHalf : Math.fround;
  const f = round(n);
  if (!Number.isFinite(f)) return { reason: `out of ${half ? 'half_float' : 'float'}'s range` };
  // The decimal at the column's scale the field holds as the same value, if any (a query is converted alike).
  const near = scale === null ? normaliseDecimal(n, null) : unitsText(Math.round(f * 10 ** scale), scale);
  return near !== undefined && round(Number(near)) === f ? near : String(f);
}

/** An integer column as the index holds it: the row's number, or a text naming what the index holds instead. */
function readInteger(column: string, value: unknown, r: NumberReading): Value | Unread {
  if (r.kind === 'unreadable') return { reason: `${column} is mapped as ${r.type}, which holds no number` };
  if (r.kind === 'keyword') return readTerm(value, r.ignoreAbove, (s) => /^-?(0|[1-9]\d*)$/.test(s));
  const dropped = r.ignoreMalformed ? ' (ignore_malformed: the index keeps the document without it)' : '';
  const n = finiteOf(value);
  if (n === undefined) return { reason: `not a finite number${dropped}` };
  if (r.kind === 'decimal') return Number.isSafeInteger(n) ? n : `${n} (not an integer)`;
  const held = heldNumber(n, r, 0);
  if (typeof held !== 'string') return { reason: held.reason + dropped };
  return String(n) === held && Number.isSafeInteger(n) ? n : `${String(value)} (held as ${held})`;
}

/**
 * A real/double column as the index holds it. A float or half_float field rounds, and so does every query on
 * it: the value stands for itself (beyond half_float's range it is rejected). An integer or scaled_float field
 * holds another number: that is what searches see.
 */
function readFloat(column: string, value: unknown, r: NumberReading): Value | Unread {
  if (r.kind === 'unreadable') return { reason: `${column} is mapped as ${r.type}, which holds no number` };
  if (r.kind === 'keyword') return readTerm(value, r.ignoreAbove, (s) => String(Number(s)) === s);
  const dropped = r.ignoreMalformed ? ' (ignore_malformed: the index keeps the document without it)' : '';
  const n = finiteOf(value);
  if (n === undefined) return { reason: `not a finite number${dropped}` };
  let held = n;
  if (r.kind === 'integer') {
    held = Math.trunc(n);
    if (held < r.min || held > r.max) return { reason: `out of ${r.type}'s range${dropped}` };
  } else if (r.kind === 'scaled') {
    if (!(r.factor > 0)) return { reason: 'scaled_float without a positive scaling_factor' };
    held = Math.round(n * r.factor) / r.factor;
  } else if (r.kind === 'float' && !Number.isFinite(r.bits === 16 ? roundHalf(n) : Math.fround(n)))
    return { reason: `out of ${r.bits === 16 ? 'half_float' : 'float'}'s range${dropped}` };
  return held === n ? n : `${n} (held as ${held})`;
}

/** A number or numeric text (coerce) as a finite number. */
function finiteOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && NUMERIC.test(value) ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** A number in a keyword field: the exact term, the row's number only when written the number's canonical way. */
function readTerm(value: unknown, ignoreAbove: number | null, canonical: (s: string) => boolean): Value | Unread {
  const s = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  if (s === undefined) return { reason: 'not a string or number' };
  if (ignoreAbove !== null && s.length > ignoreAbove) return { reason: `over ignore_above ${ignoreAbove}` };
  return canonical(s) ? Number(s) : `"${s}" (a keyword term)`;
}

/** A boolean column as the index reads it (see BooleanReading). */
function readBoolean(column: string, value: unknown, r: BooleanReading): Value | Unread {
  if (r.bool === 'unreadable') return { reason: `${column} is mapped as ${r.type}, which holds no boolean` };
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  if (r.bool === 'boolean' && value === '') return false;
  if (r.bool === 'term') return `${show(value)} (a keyword term)`;
  return { reason: 'not a boolean' }; // a boolean field takes true, false, "true", "false" and "" only
}

/** A json/jsonb column as its field holds it (see JsonReading), as canonical JSON text like the row's. */
function readJson(p: ColumnPlan, value: unknown, r: JsonReading): Value | Unread {
  if (r.json === 'unreadable') return { reason: `${p.name} is mapped as ${r.type}, which holds no JSON value` };
  // The value itself: JSON text here is a string, whose canonical form ("\"{…}\"") is no object's.
  if (r.json === 'value') return canonicalJson(value);
  // A string field holds the JSON text; a number or boolean is coerced to its text, an object is rejected.
  if (r.json === 'text' && typeof value === 'object') return { reason: 'an object in a string field' };
  const x = p.codec.fromPg(r.json === 'text' && typeof value !== 'string' ? JSON.stringify(value) : value);
  return x === undefined ? { reason: p.codec.reason } : x;
}

/** A date column: the instant the mapping's formats read must be a UTC midnight, named as its day. */
function readDay(value: unknown, dates: DateReading): Value | Unread {
  const t = normaliseTimestamp(value, dates);
  if (t === undefined || t === null || Math.abs(t) > 8.64e15)
    return { reason: `not a date the index reads (${describeReading(dates)})` };
  const iso = new Date(t).toISOString();
  if (t % 86_400_000 === 0 && iso.length === 24) return iso.slice(0, 10);
  return `${show(value)} (read as ${iso}, not a day)`;
}

function show(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** A double as the canonical decimal of the scale when it is one (to the double's precision), else its text. */
function decimalText(x: number, scale: number | null): string {
  if (scale === null) return normaliseDecimal(x, null) ?? String(x);
  const units = Math.round(x * 10 ** scale);
  return Math.abs(units / 10 ** scale - x) <= Math.abs(x) * 1e-15 ? unitsText(units, scale) : String(x);
}

const NUMERIC = /^-?(\d+\.?\d*|\.\d+)$/;

/** A whole number of units of 10^-scale as the canonical decimal ("-7.05", "0.00" at scale 2; "7" at 0). */
function unitsText(units: number, scale: number): string {
  const neg = units < 0;
  const a = String(Math.abs(units)).padStart(scale + 1, '0');
  const out = scale === 0 ? a : `${a.slice(0, -scale)}.${a.slice(-scale)}`;
  return neg && /[1-9]/.test(out) ? `-${out}` : out;
}

/** The nearest IEEE half-precision value (round half to even), or ±Infinity beyond its range. */
export function roundHalf(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const a = Math.abs(x);
  if (a >= 65_520) return Math.sign(x) * Infinity;
  const e = Math.max(Math.floor(Math.log2(a)), -14);
  const q = 2 ** (e - 10);
  const k = a / q;
  let r = Math.round(k);
  if (r - k === 0.5 && r % 2 === 1) r -= 1; // Math.round rounds .5 up; IEEE rounds to even
  return Math.sign(x) * r * q;
}

/** Document fields the row does not explain (and the definition does not declare): a sink's leftovers. */
export function unexpectedFields(
  source: Readonly<Record<string, unknown>>,
  reading: IndexReading = DEFAULT_INDEX_READING,
): string[] {
  const fields = readingPlanOf(reading).table.fields;
  let out: string[] | undefined;
  for (const k in source) if (!fields.has(k) && !reading.declared.has(k)) (out ??= []).push(k);
  return out ?? NO_FIELDS;
}
const NO_FIELDS: string[] = [];

/**
 * Is this row already in canonical form (as the snapshot reader and, ideally, the workload produce it)? A
 * cheap check that lets the versions index skip re-normalising millions of history rows.
 */
export function isNormalisedRow(row: Row, table: TableModel = PRODUCTS): boolean {
  for (const p of planOf(table).columns) {
    const v = row[p.name];
    if (v === undefined) return false; // absent: normalised to null
    if (v === null) {
      if (!p.nullable) return false;
      continue;
    }
    switch (p.kind) {
      case 'key':
        if (!Number.isSafeInteger(v)) return false;
        break;
      case 'text':
        if (typeof v !== 'string') return false;
        break;
      case 'number':
        if (
          typeof v !== 'string' ||
          !(p.scale === null ? canonicalDecimal(v, null) === v : isCanonicalDecimal(v, p.scale))
        )
          return false;
        break;
      case 'date':
        if (!Number.isSafeInteger(v)) return false;
        break;
      default:
        if (p.codec.fromPg(v) !== v) return false;
    }
  }
  return true;
}

function fail(field: string, value: unknown, reason: string): NormaliseFailure {
  return { ok: false, field, value, reason };
}

/**
 * The hot path of the comparison: does this `_source`, read through the mapping, give exactly `row`?
 * Equivalent to `readSource(source, reading)` deep-equal to `row`; cheap on the healthy mapping's common case
 * (one check per field, no allocation). Raw equality is never taken as equality: each value goes through its
 * field's reading (a number equal to the row's epoch ms is not equal under epoch_second).
 */
export function sourceMatchesRow(
  source: Readonly<Record<string, unknown>>,
  row: Row,
  reading: IndexReading = DEFAULT_INDEX_READING,
): boolean {
  const { table, readers } = readingPlanOf(reading);
  const columns = table.columns;
  for (let i = 0; i < columns.length; i++) {
    const p = columns[i]!;
    const v = source[p.name];
    const want = row[p.name];
    // A key equal as it stands needs no reading (the integer key of most documents).
    if (p.kind === 'key' && v === want) continue;
    if (readers[i]!(v) !== want) return false;
  }
  return true;
}

/** Names of the fields in which a `_source`, read through the mapping, differs from `row` (for details). */
export function differingFields(
  source: Readonly<Record<string, unknown>>,
  row: Row,
  reading: IndexReading = DEFAULT_INDEX_READING,
): string[] {
  const { table, readers } = readingPlanOf(reading);
  const out: string[] = [];
  table.columns.forEach((p, i) => {
    if (readers[i]!(source[p.name]) !== row[p.name]) out.push(p.name);
  });
  return out;
}

/**
 * A Postgres row → ProductRow, from what node-postgres returns. The snapshot reader selects
 * `price::text` and `floor(extract(epoch from created_at) * 1000)::bigint` (a string: int8 is not parsed by
 * default), which need no further interpretation. For rows read with default type parsers (e.g. RETURNING in
 * the workload) a `Date` is accepted too: node-postgres builds it from the wall clock in the *local* zone, so
 * the local getters give back the wall clock, which is then read as UTC. Prefer the text/epoch forms:
 * node-postgres computes the milliseconds of a Date through a float and can be off by one.
 */
export function normalisePgRow(raw: {
  product_id: unknown;
  name: unknown;
  description: unknown;
  price: unknown;
  created_at: unknown;
}): ProductRow {
  const source = raw.created_at instanceof Date ? { ...raw, created_at: wallClockAsUtc(raw.created_at) } : raw;
  const result = normaliseSource(source);
  if (!result.ok) {
    throw new Error(
      `Postgres row ${String(raw.product_id)}: ${result.field} ${JSON.stringify(result.value)} is ${result.reason}`,
    );
  }
  return result.row;
}
