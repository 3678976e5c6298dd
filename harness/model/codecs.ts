import { canonicalDecimal } from './decimal.ts';
import { formatPgType, type PgType } from './pg-type.ts';
import type { Column, Value } from './table.ts';
import { DEFAULT_DATE_READING, normaliseTimestamp } from './timestamps.ts';

/**
 * What the model knows of one column type: its normaliser from a Postgres value (as node-postgres returns it, or
 * the text forms the checker selects), its SQL literal, and what Debezium sends for it by default.
 */
export interface Codec {
  /** The normalised value, or undefined when `value` is none of this type's forms. Null only for a null value. */
  fromPg(value: unknown): Value | undefined;
  /** Why fromPg gave undefined, for the anomaly's detail and errors. */
  reason: string;
  /** The SQL literal of a normalised value (NULL for null), with a cast where Postgres could not infer the type. */
  literal(value: Value): string;
  /** What Debezium's JSON converter sends for this type with default settings (for docs and diagnoses). */
  debezium: string;
}

/**
 * The codec of a column: its type's, with null handled by the column's nullability (a null in a NOT NULL column
 * is not a value of it). Undefined when the type has no normaliser (see codecOfType).
 */
export function codecOf(column: Column): Codec | undefined {
  const c = codecOfType(column.type);
  if (c === undefined) return undefined;
  const { fromPg } = c;
  const isText = TEXT_KINDS.has(column.type.kind);
  return {
    ...c,
    // Absent (a sink that drops nulls) reads as null where null is allowed.
    fromPg: column.nullable
      ? (v) => (v === null || v === undefined ? null : fromPg(v))
      : (v) => (v === null || v === undefined ? undefined : fromPg(v)),
    reason: isText && column.nullable ? `${c.reason} or null` : c.reason,
  };
}

const TEXT_KINDS = new Set(['text', 'varchar', 'bpchar']);

/** The codec of a type, or undefined when the model has no normaliser for it (time, ranges, composites, ...). */
export function codecOfType(t: PgType): Codec | undefined {
  switch (t.kind) {
    case 'int2':
    case 'int4':
    case 'int8':
      return INTEGER;
    case 'float4':
    case 'float8':
      return float(t.kind);
    case 'numeric':
      return numeric(t.scale);
    case 'bool':
      return BOOL;
    case 'text':
    case 'varchar':
    case 'bpchar':
      return text(formatPgType(t), null);
    case 'uuid':
      return text('uuid', 'uuid');
    case 'enum':
      return enumCodec(t.name, t.labels);
    case 'json':
    case 'jsonb':
      return json(t.kind);
    case 'bytea':
      return BYTEA;
    case 'date':
      return DATE;
    case 'timestamp':
      return timestamp(t.precision, false);
    case 'timestamptz':
      return timestamp(t.precision, true);
    case 'array': {
      const element = codecOfType(t.element);
      return element === undefined ? undefined : array(element, formatPgType(t));
    }
    default:
      return undefined;
  }
}

/** A SQL string literal: quotes doubled (standard_conforming_strings is on since Postgres 9.1). */
export function quoteLiteral(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A SQL identifier, quoted. */
export function quoteIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

const orNull =
  (f: (v: Exclude<Value, null>) => string) =>
  (v: Value): string =>
    v === null ? 'NULL' : f(v);

/** A SERIAL/BIGSERIAL key may reach a sink as a numeric string; beyond 2^53 a JSON reader loses digits. */
const INTEGER: Codec = {
  fromPg: (v) => {
    if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
    if (typeof v === 'string' && /^-?\d{1,16}$/.test(v)) {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : undefined;
    }
    return undefined;
  },
  reason: 'not an integer',
  literal: orNull(String),
  debezium: 'a JSON number (INT16/INT32/INT64)',
};

function float(kind: 'float4' | 'float8'): Codec {
  return {
    fromPg: (v) => {
      if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? v : String(v);
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
      if (typeof v === 'string' && /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v)) return Number(v);
      return undefined;
    },
    reason: 'not a number',
    literal: orNull((v) => (typeof v === 'number' ? String(v) : `${quoteLiteral(String(v))}::${kind}`)),
    debezium: `a JSON number (${kind === 'float4' ? 'FLOAT32' : 'FLOAT64'})`,
  };
}

/** Postgres' NUMERIC also holds NaN: kept as the text "NaN" (no numeric index field holds it). */
function numeric(scale: number | null): Codec {
  return {
    fromPg: (v) => {
      if (v === 'NaN') return 'NaN';
      if (typeof v === 'string') return canonicalDecimal(v, scale);
      if (typeof v === 'number' && Number.isFinite(v)) return canonicalDecimal(String(v), scale);
      return undefined;
    },
    reason: scale === null ? 'not a decimal' : `not a decimal with at most ${scale} fraction digits`,
    literal: orNull((v) => (v === 'NaN' ? `'NaN'::numeric` : String(v))),
    debezium:
      scale === null
        ? 'a struct {scale, value: base64} (VariableScaleDecimal; decimal.handling.mode=precise)'
        : 'base64 of the unscaled two’s-complement bytes (Decimal; decimal.handling.mode=precise)',
  };
}

const BOOL: Codec = {
  fromPg: (v) => (typeof v === 'boolean' ? v : v === 't' ? true : v === 'f' ? false : undefined),
  reason: 'not a boolean',
  literal: orNull((v) => (v ? 'TRUE' : 'FALSE')),
  debezium: 'a JSON boolean',
};

/**
 * Text is compared byte-exact: no trimming, no Unicode normalisation, no case folding (a uuid or an enum label
 * whose case changed is another value). char(n) keeps the padding Postgres stores.
 */
function text(typeName: string, cast: string | null): Codec {
  return {
    fromPg: (v) => (typeof v === 'string' ? v : undefined),
    reason: 'not a string',
    literal: orNull((v) => quoteLiteral(String(v)) + (cast === null ? '' : `::${cast}`)),
    debezium: cast === 'uuid' ? 'a string (io.debezium.data.Uuid)' : `a string (${typeName})`,
  };
}

function enumCodec(name: string, labels: readonly string[]): Codec {
  const known = new Set(labels);
  return {
    fromPg: (v) => (typeof v === 'string' && known.has(v) ? v : undefined),
    reason: `not one of ${name}'s labels`,
    literal: orNull((v) => `${quoteLiteral(String(v))}::${quoteIdent(name)}`),
    debezium: 'the label as a string (io.debezium.data.Enum)',
  };
}

/**
 * json/jsonb → canonical JSON text (object keys sorted; jsonb keeps no order, and a search index none either).
 * A string is JSON text (select the column as ::text); any other value is taken as already parsed.
 */
function json(kind: 'json' | 'jsonb'): Codec {
  return {
    fromPg: (v) => {
      if (typeof v !== 'string') return v === undefined ? undefined : canonicalJson(v);
      try {
        return canonicalJson(JSON.parse(v));
      } catch {
        return undefined;
      }
    },
    reason: 'not JSON',
    literal: orNull((v) => `${quoteLiteral(String(v))}::${kind}`),
    debezium: 'the JSON text as a string (io.debezium.data.Json)',
  };
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

/** JSON text with object keys in code-point order at every depth. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

/**
 * bytea → base64 (what Debezium sends by default); Postgres' hex text "\x0102" and Buffers are read, and base64
 * itself (a normalised row's own form: no base64 text starts with a backslash).
 */
const BYTEA: Codec = {
  fromPg: (v) => {
    if (Buffer.isBuffer(v)) return v.toString('base64');
    if (typeof v !== 'string') return undefined;
    if (/^\\x([0-9a-fA-F]{2})*$/.test(v)) return Buffer.from(v.slice(2), 'hex').toString('base64');
    return v.length % 4 === 0 && BASE64.test(v) ? v : undefined;
  },
  reason: 'not bytea (a Buffer, \\x hex text or base64)',
  literal: orNull((v) => `'\\x${Buffer.from(String(v), 'base64').toString('hex')}'::bytea`),
  debezium: 'base64 text (binary.handling.mode=bytes)',
};
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * date → "YYYY-MM-DD". node-postgres parses a date into a local-midnight Date: the local getters give the day
 * back. Days since the epoch (Debezium's form) are read too.
 */
const DATE: Codec = {
  fromPg: (v) => {
    if (typeof v === 'string') {
      const m = ISO_DATE.exec(v);
      if (m === null) return undefined;
      const d = new Date(0);
      d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      return d.getUTCDate() === Number(m[3]) ? v : undefined; // 2024-02-30 rolls over into March
    }
    if (v instanceof Date) return isoDay(v.getFullYear(), v.getMonth(), v.getDate());
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      const d = new Date(v * 86_400_000);
      return isoDay(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    }
    return undefined;
  },
  reason: 'not a date (YYYY-MM-DD)',
  literal: orNull((v) => `${quoteLiteral(String(v))}::date`),
  debezium: 'days since the epoch as a JSON number (io.debezium.time.Date)',
};

function isoDay(year: number, month: number, day: number): string | undefined {
  if (year < 0 || year > 9999) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * timestamp → epoch milliseconds of the wall clock read as UTC; timestamptz → epoch milliseconds of the instant.
 * Digits beyond the millisecond are floored. Read like the products' created_at: epoch-ms digits (what the
 * snapshot reader selects), ISO/Postgres text (an explicit offset applied); a Date from node-postgres is the
 * wall clock in the local zone for timestamp, the instant for timestamptz.
 */
function timestamp(precision: number | null, zoned: boolean): Codec {
  const micro = precision === null || precision > 3;
  return {
    fromPg: (v) => {
      if (v instanceof Date) return zoned ? v.getTime() : wallClockAsUtc(v);
      return normaliseTimestamp(v, DEFAULT_DATE_READING);
    },
    reason: 'not a timestamp',
    literal: orNull((v) => {
      const iso = new Date(Number(v)).toISOString();
      return zoned ? `${quoteLiteral(iso)}::timestamptz` : `${quoteLiteral(iso.slice(0, -1))}::timestamp`;
    }),
    debezium: zoned
      ? 'ISO-8601 text in UTC (io.debezium.time.ZonedTimestamp)'
      : micro
        ? 'microseconds since the epoch (io.debezium.time.MicroTimestamp; time.precision.mode=adaptive)'
        : 'milliseconds since the epoch (io.debezium.time.Timestamp; time.precision.mode=adaptive)',
  };
}

/** node-postgres builds a timestamp's Date from the wall clock in the local zone: the local getters give it back. */
export function wallClockAsUtc(d: Date): number {
  const out = new Date(0);
  out.setUTCFullYear(d.getFullYear(), d.getMonth(), d.getDate());
  out.setUTCHours(d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
  return out.getTime();
}

/**
 * An array → the canonical JSON text of its normalised elements (NULL elements kept as null). Read from a JS
 * array, from Postgres' one-dimensional text form ('{a,"b c",NULL}'), or from that JSON text.
 */
function array(element: Codec, typeName: string): Codec {
  const each = (items: unknown[]): Value | undefined => {
    const out: Value[] = [];
    for (const item of items) {
      const v = item === null ? null : element.fromPg(item);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return JSON.stringify(out);
  };
  return {
    fromPg: (v) => {
      if (Array.isArray(v)) return each(v);
      if (typeof v !== 'string') return undefined;
      if (v.startsWith('[')) {
        // A normalised row's own form: the JSON text of the elements.
        const parsed = parseJson(v);
        return Array.isArray(parsed) ? each(parsed) : undefined;
      }
      const items = parsePgArray(v);
      return items === undefined ? undefined : each(items);
    },
    reason: `not an array whose elements are each ${element.reason.replace(/^not /, '')}`,
    literal: orNull((v) => {
      const items = JSON.parse(String(v)) as Value[];
      return items.length === 0 ? `'{}'::${typeName}` : `ARRAY[${items.map(element.literal).join(', ')}]::${typeName}`;
    }),
    debezium: `a JSON array of the elements, each as ${element.debezium}`,
  };
}

/** Postgres' text form of a one-dimensional array; elements are strings or null (unquoted NULL). */
export function parsePgArray(s: string): (string | null)[] | undefined {
  if (!s.startsWith('{') || !s.endsWith('}')) return undefined;
  const out: (string | null)[] = [];
  const body = s.slice(1, -1);
  if (body === '') return out;
  let i = 0;
  for (;;) {
    let item = '';
    if (body[i] === '"') {
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        item += body[i] ?? '';
        i++;
      }
      if (body[i] !== '"') return undefined;
      i++;
      out.push(item);
    } else {
      while (i < body.length && body[i] !== ',') {
        if (body[i] === '{' || body[i] === '"') return undefined; // nested arrays: not read
        item += body[i];
        i++;
      }
      out.push(item === 'NULL' ? null : item);
    }
    if (i === body.length) return out;
    if (body[i] !== ',') return undefined;
    i++;
  }
}
