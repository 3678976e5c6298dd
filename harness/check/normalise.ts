import type { ProductRow } from '../record/history.ts';
import {
  DEFAULT_INDEX_READING,
  ROW_FIELDS,
  type IndexReading,
  type NumberReading,
  type TextReading,
} from './mapping.ts';
import { DEFAULT_DATE_READING, describeReading, normaliseTimestamp, type DateReading } from './timestamps.ts';

/**
 * Normalisation rules: how a Postgres row and an Elasticsearch `_source` are brought to one comparable shape,
 * `ProductRow`. Every field function returns `undefined` when the value cannot be normalised; a document with
 * such a field equals no committed version, so the checker calls it `corrupt`. The rules are deliberately
 * narrow: a lenient rule would turn a real type-mangling bug into "equal".
 */

/** Why a value could not be normalised. */
export interface NormaliseFailure {
  ok: false;
  field: keyof ProductRow;
  value: unknown;
  reason: string;
}

export type NormaliseResult = { ok: true; row: ProductRow } | NormaliseFailure;

const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

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
  if (typeof value === 'string') return canonicalDecimal(value);
  if (typeof value === 'number' && Number.isFinite(value)) return canonicalDecimal(String(value));
  return undefined;
}

function canonicalDecimal(s: string): string | undefined {
  if (isCanonicalDecimal(s)) return s;
  const n = s.length;
  let i = 0;
  let negative = false;
  if (n > 0 && s.charCodeAt(0) === MINUS) {
    negative = true;
    i = 1;
  }
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < n && s.charCodeAt(i) === DOT) {
    fracStart = ++i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    fracEnd = i;
  }
  if (i !== n || (intEnd === intStart && fracEnd === fracStart)) return undefined;

  // Fraction: drop trailing zeros beyond the second digit; a third significant digit is out of NUMERIC(10,2).
  let f = fracEnd;
  while (f - fracStart > 2 && s.charCodeAt(f - 1) === ZERO) f--;
  if (f - fracStart > 2) return undefined;
  const frac = (s.slice(fracStart, f) + '00').slice(0, 2);

  let z = intStart;
  while (z < intEnd - 1 && s.charCodeAt(z) === ZERO) z++;
  const int = intEnd === intStart ? '0' : s.slice(z, intEnd);

  // Postgres prints -0.00 as 0.00.
  if (int === '0' && frac === '00') negative = false;
  const out = (negative ? '-' : '') + int + '.' + frac;
  return out === s ? s : out;
}

/** Already "-?(0|[1-9]d*).dd" (what Postgres prints for NUMERIC(10,2))? Checked without allocating. */
function isCanonicalDecimal(s: string): boolean {
  const n = s.length;
  let i = s.charCodeAt(0) === MINUS ? 1 : 0;
  if (n - i < 4 || s.charCodeAt(n - 3) !== DOT || !isDigit(s.charCodeAt(n - 2)) || !isDigit(s.charCodeAt(n - 1))) {
    return false;
  }
  if (s.charCodeAt(i) === ZERO && n - i !== 4) return false; // a leading zero only in "0.dd"
  for (; i < n - 3; i++) if (!isDigit(s.charCodeAt(i))) return false;
  // "-0.00" is not canonical: Postgres prints zero unsigned.
  return s !== '-0.00';
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/**
 * product_id, SERIAL → a number. ES may hold it as a number or, when a sink stringifies keys, as a numeric
 * string; anything that is not a safe integer is not an id.
 */
export function normaliseProductId(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/**
 * name, VARCHAR NOT NULL → the exact string. No trimming and no Unicode normalisation (NFC): the pipeline
 * must carry text byte-exact, and a sink that re-encodes emoji or combining marks is a bug to report, not to
 * forgive. Debezium's unchanged-TOAST placeholder `__debezium_unavailable_value` is left alone on purpose: it
 * is a string that equals no committed version, which is exactly what makes it `corrupt`.
 */
export function normaliseName(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** description, TEXT NULL → the exact string (rules as for name); null or an absent field is null. */
export function normaliseDescription(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : undefined;
}

/**
 * A row-like object (a Postgres row, a history effect) → ProductRow, or the first field that cannot be
 * normalised. This is the row side: Postgres' NUMERIC also holds NaN, which is kept as the price "NaN" (no
 * index reads a document as that; see readPrice). Fields other than the five columns are ignored. Documents
 * are read with readSource, by the index's mapping.
 */
export function normaliseSource(
  source: Readonly<Record<string, unknown>>,
  reading: DateReading = DEFAULT_DATE_READING,
): NormaliseResult {
  const product_id = normaliseProductId(source['product_id']);
  if (product_id === undefined) return fail('product_id', source['product_id'], 'not an integer');
  const name = normaliseName(source['name']);
  if (name === undefined) return fail('name', source['name'], 'not a string');
  const description = normaliseDescription(source['description']);
  if (description === undefined) return fail('description', source['description'], 'not a string or null');
  const price = source['price'] === 'NaN' ? 'NaN' : normalisePrice(source['price']);
  if (price === undefined) return fail('price', source['price'], 'not a decimal with at most 2 fraction digits');
  const created_at = normaliseTimestamp(source['created_at'], reading);
  if (created_at === undefined)
    return fail('created_at', source['created_at'], `not a timestamp the index reads (${describeReading(reading)})`);
  return { ok: true, row: { product_id, name, description, price, created_at } };
}

/**
 * A document's `_source` → the ProductRow a search user sees through the index's mapping, or the first field
 * the index cannot hold as the row's value (dropped, rejected or unreadable). Every field goes through its
 * reading: no shortcut on equal raw values (a millisecond number is not a millisecond date under
 * epoch_second). Fields beyond the five columns are not read here (see unexpectedFields).
 */
export function readSource(
  source: Readonly<Record<string, unknown>>,
  reading: IndexReading = DEFAULT_INDEX_READING,
): NormaliseResult {
  const product_id = normaliseProductId(source['product_id']);
  if (product_id === undefined) return fail('product_id', source['product_id'], 'not an integer');
  const name = readText(source['name'], reading.name, false);
  if (typeof name !== 'string') return fail('name', source['name'], name === null ? 'null' : name.reason);
  const description = readText(source['description'], reading.description, true);
  if (description !== null && typeof description !== 'string')
    return fail('description', source['description'], description.reason);
  const price = readPrice(source['price'], reading.price);
  if (typeof price !== 'string') return fail('price', source['price'], price.reason);
  const dates = reading.created_at;
  const created_at = normaliseTimestamp(source['created_at'], dates);
  if (created_at === undefined)
    return fail('created_at', source['created_at'], `not a timestamp the index reads (${describeReading(dates)})`);
  return { ok: true, row: { product_id, name, description, price, created_at } };
}

interface Unread {
  reason: string;
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
  if (r.kind === 'unreadable') return { reason: `price is mapped as ${r.type}, which holds no number` };
  if (r.kind === 'keyword') {
    const s = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    if (s === undefined) return { reason: 'not a string or number' };
    if (r.ignoreAbove !== null && s.length > r.ignoreAbove) return { reason: `over ignore_above ${r.ignoreAbove}` };
    return s; // a keyword is an exact term: "19.9" is not "19.90"
  }
  const dropped = r.ignoreMalformed ? ' (ignore_malformed: the index keeps the document without it)' : '';
  if (r.kind === 'decimal') {
    const d = normalisePrice(value);
    return d ?? { reason: `not a decimal with at most 2 fraction digits${dropped}` };
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' && NUMERIC.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return { reason: `not a finite number${dropped}` };
  const held = heldPrice(n, r);
  if (typeof held !== 'string') return { reason: held.reason + dropped };
  // A search user sees both what the index holds (queries, sorts) and the _source (the hit): both must be the row's.
  const shown = normalisePrice(value);
  return shown === held ? held : `${shown ?? JSON.stringify(value)} (held as ${held})`;
}

/** What an integer, scaled_float or float field holds for a finite number, as a decimal string. */
function heldPrice(n: number, r: NumberReading): string | Unread {
  if (r.kind === 'integer') {
    const t = Math.trunc(n); // coerce truncates fractions toward zero
    if (t < r.min || t > r.max) return { reason: `out of ${r.type}'s range` };
    return centsText(t * 100);
  }
  if (r.kind === 'scaled') {
    if (!(r.factor > 0)) return { reason: 'scaled_float without a positive scaling_factor' };
    const x = Math.round(n * r.factor) / r.factor;
    const cents = Math.round(x * 100);
    return Math.abs(cents / 100 - x) <= Math.abs(x) * 1e-15 ? centsText(cents) : String(x);
  }
  const round = r.kind === 'float' && r.bits === 16 ? roundHalf : Math.fround;
  const f = round(n);
  if (!Number.isFinite(f)) return { reason: "out of half_float's range" };
  // The two-digit decimal the field holds as the same value, if any (a query is converted alike).
  const near = centsText(Math.round(f * 100));
  return round(Number(near)) === f ? near : String(f);
}

const NUMERIC = /^-?(\d+\.?\d*|\.\d+)$/;

/** A whole number of cents as the canonical decimal ("-7.05", "0.00"). */
function centsText(cents: number): string {
  const neg = cents < 0;
  const a = String(Math.abs(cents)).padStart(3, '0');
  const out = `${neg ? '-' : ''}${a.slice(0, -2)}.${a.slice(-2)}`;
  return out === '-0.00' ? '0.00' : out;
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
  let out: string[] | undefined;
  for (const k in source) if (!ROW_FIELDS.has(k) && !reading.declared.has(k)) (out ??= []).push(k);
  return out ?? NO_FIELDS;
}
const NO_FIELDS: string[] = [];

/**
 * Is this row already in canonical form (as the snapshot reader and, ideally, the workload produce it)? A
 * cheap check that lets the versions index skip re-normalising millions of history rows.
 */
export function isNormalisedRow(row: ProductRow): boolean {
  const t = row.created_at;
  const d = row.description;
  return (
    Number.isSafeInteger(row.product_id) &&
    typeof row.name === 'string' &&
    (d === null || typeof d === 'string') &&
    typeof row.price === 'string' &&
    isCanonicalDecimal(row.price) &&
    (t === null || Number.isSafeInteger(t))
  );
}

function fail(field: keyof ProductRow, value: unknown, reason: string): NormaliseFailure {
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
  row: ProductRow,
  reading: IndexReading = DEFAULT_INDEX_READING,
): boolean {
  const id = source['product_id'];
  if (id !== row.product_id && normaliseProductId(id) !== row.product_id) return false;
  if (readText(source['name'], reading.name, false) !== row.name) return false;
  const description = readText(source['description'], reading.description, true);
  if (description !== row.description) return false;
  if (readPrice(source['price'], reading.price) !== row.price) return false;
  return normaliseTimestamp(source['created_at'], reading.created_at) === row.created_at;
}

/** Names of the fields in which a `_source`, read through the mapping, differs from `row` (for details). */
export function differingFields(
  source: Readonly<Record<string, unknown>>,
  row: ProductRow,
  reading: IndexReading = DEFAULT_INDEX_READING,
): (keyof ProductRow)[] {
  const out: (keyof ProductRow)[] = [];
  if (normaliseProductId(source['product_id']) !== row.product_id) out.push('product_id');
  if (readText(source['name'], reading.name, false) !== row.name) out.push('name');
  if (readText(source['description'], reading.description, true) !== row.description) out.push('description');
  if (readPrice(source['price'], reading.price) !== row.price) out.push('price');
  if (normaliseTimestamp(source['created_at'], reading.created_at) !== row.created_at) out.push('created_at');
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

function wallClockAsUtc(d: Date): number {
  const out = new Date(0);
  out.setUTCFullYear(d.getFullYear(), d.getMonth(), d.getDate());
  out.setUTCHours(d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
  return out.getTime();
}
