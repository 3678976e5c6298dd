import { PRODUCTS } from '../model/products.ts';
import { columnNames, type Column, type TableModel } from '../model/table.ts';
import { DEFAULT_DATE_READING, dateReadingOf, type DateReading } from './timestamps.ts';

/**
 * How the index reads each field of a table's documents, from the index's raw mapping (the `mappings` object of
 * GET <index>/_mapping): what a search user's query, sort or aggregation sees is what is compared. One reading
 * per column, under the column's name; which reading a column gets follows from its PG type (readingKindOf).
 * For products: product_id (read as the integer it is), name and description (TextReading), price
 * (NumberReading), created_at (DateReading). The column readings have their own map, so any column name is fine.
 */
export interface IndexReading {
  /** The table whose documents the index holds; absent: products, the default. */
  readonly table?: TableModel;
  /** Document fields beyond the table's columns that are expected (declared by the definition); others: anomalies. */
  readonly declared: ReadonlySet<string>;
  /** Column name → how the index reads that column's field. */
  readonly columns: Readonly<Record<string, FieldReading>>;
}

/** The reading of one column. */
export type FieldReading =
  TextReading | NumberReading | DateReading | BooleanReading | JsonReading | BytesReading | ArrayReading | ExactReading;

/**
 * A bytea column (base64, Debezium's default): a `binary` field (or none) holds base64 only, and rejects any
 * other text; a keyword or text field holds the text as a term (its ignore_above applies); any other type holds
 * none (TextReading's unreadable).
 */
export type BytesReading = { binary: true } | TextReading;

/**
 * An array column: Elasticsearch has no array type, a field holds any number of values of its type, so each
 * element is read by the field's reading for the element's type (a keyword's ignore_above per element, a
 * short's range per element); NULL elements are kept in the source and not indexed.
 */
export interface ArrayReading {
  element: FieldReading;
}

/**
 * A json/jsonb column. Debezium sends the JSON text as a string (io.debezium.data.Json); what a reader of the
 * document gets depends on the field:
 * - value: an object-like field (object, enabled or not; nested; flattened) is meant to hold the JSON value itself,
 *   so the JSON text there is a string where the application reads an object (a disabled object even accepts it);
 * - text: a string field (keyword, text, wildcard) holds the JSON text;
 * - either: no mapping for the field (dynamic mapping takes what comes first): the value or its text;
 * - unreadable: any other type holds no JSON value.
 */
export type JsonReading = { json: 'value' | 'text' | 'either' } | { json: 'unreadable'; type: string };

/**
 * A boolean column: a `boolean` field takes true, false, "true", "false" and "" (false), nothing else (not "t",
 * not 1); a keyword or text field holds the exact term ("true"); any other type holds no boolean.
 */
export type BooleanReading = { bool: 'boolean' } | { bool: 'term' } | { bool: 'unreadable'; type: string };

/**
 * A column whose mapping is not read yet: the document's value goes through the column's own normaliser (as a
 * Postgres value of that type would), so e.g. a jsonb object and its JSON text are one value.
 */
export interface ExactReading {
  exact: true;
}

/**
 * Which reading a column gets, by its PG type:
 * - text: text, varchar, char (exact strings; a keyword's ignore_above drops long ones);
 * - identifier: uuid, enum (as text, and looked up exactly: an analysed `text` field without a keyword finds none);
 * - number: numeric (by the mapping's numeric type, at the column's scale);
 * - integer: smallint, integer, bigint other than an integer key (by the mapping's numeric type);
 * - float: real, double precision (by the mapping's numeric type);
 * - boolean: bool (as a boolean field reads it);
 * - day: date (the mapping's date formats: Debezium's days since the epoch are not a date there);
 * - date: timestamp, timestamptz (the mapping's date formats in their order);
 * - key: an integer key column (a number, or a numeric string from a sink that stringifies keys; as before);
 * - json: json, jsonb (the JSON value or its text, as the field's type holds it);
 * - bytes: bytea (base64 in a binary field, or a term);
 * - array: an array of any of the kinds above but key (each element by the field's reading);
 * - exact: every other type: through the column's own normaliser.
 */
export type ReadingKind =
  | 'key'
  | 'text'
  | 'identifier'
  | 'number'
  | 'integer'
  | 'float'
  | 'boolean'
  | 'day'
  | 'date'
  | 'json'
  | 'bytes'
  | 'array'
  | 'exact';

/** Element kinds an array column is read by, element by element. */
const ARRAY_ELEMENTS: ReadonlySet<ReadingKind> = new Set([
  'text',
  'identifier',
  'number',
  'integer',
  'float',
  'boolean',
  'day',
  'date',
  'json',
  'bytes',
]);

/** The kind of an array column's elements (undefined: not an array). */
export function elementKindOf(table: TableModel, column: Column): ReadingKind | undefined {
  return column.type.kind === 'array' ? readingKindOf(table, { ...column, type: column.type.element }) : undefined;
}

export function readingKindOf(table: TableModel, column: Column): ReadingKind {
  switch (column.type.kind) {
    case 'text':
    case 'varchar':
    case 'bpchar':
      return 'text';
    case 'uuid':
    case 'enum':
      return 'identifier';
    case 'numeric':
      return 'number';
    case 'timestamp':
    case 'timestamptz':
      return 'date';
    case 'date':
      return 'day';
    case 'bool':
      return 'boolean';
    case 'json':
    case 'jsonb':
      return 'json';
    case 'float4':
    case 'float8':
      return 'float';
    case 'int2':
    case 'int4':
    case 'int8':
      return table.key.includes(column.name) ? 'key' : 'integer';
    case 'bytea':
      return 'bytes';
    case 'array':
      return ARRAY_ELEMENTS.has(elementKindOf(table, column)!) ? 'array' : 'exact';
    default:
      return 'exact';
  }
}

const EXACT: ExactReading = { exact: true };

/** A string field (text or keyword). */
export interface TextReading {
  /**
   * The smallest `ignore_above` of the field itself (when a keyword) or of a keyword sub-field: a longer value
   * (in UTF-16 units, Java's String.length()) is not indexed there, so keyword lookups never find it. Null: none.
   */
  ignoreAbove: number | null;
  /** Where the limit comes from (e.g. "name.keyword"), for the anomaly's detail. */
  limitField: string | null;
  /** The field is mapped as something no string is read by (e.g. a number type): why. */
  unreadable?: string;
}

/**
 * A NUMERIC column (products' price, NUMERIC(10,2)): what the index holds for it, read at the column's scale.
 * - decimal: double (or unmapped): the exact decimal (see normalisePrice);
 * - integer: byte/short/integer/long: fractions truncated toward zero (coerce), out of range rejected;
 * - scaled: scaled_float: round(value × scaling_factor) / scaling_factor;
 * - float: float/half_float: the nearest value of that precision (a query is converted the same way, so a row
 *   equal after that rounding is found; anything else is not);
 * - keyword: the exact string ("19.9" and "19.90" are different terms);
 * - unreadable: a type that holds no number (e.g. boolean, object).
 */
export type NumberReading =
  | { kind: 'decimal'; ignoreMalformed: boolean }
  | { kind: 'integer'; type: string; min: number; max: number; ignoreMalformed: boolean }
  | { kind: 'scaled'; factor: number; ignoreMalformed: boolean }
  | { kind: 'float'; bits: 32 | 16; ignoreMalformed: boolean }
  | { kind: 'keyword'; ignoreAbove: number | null }
  | { kind: 'unreadable'; type: string };

const NO_LIMIT: TextReading = { ignoreAbove: null, limitField: null };

/**
 * The reading of a column when the index has no mapping for it: the healthy pipeline's own, without limits (an
 * array's: its element kind's).
 */
export function defaultReading(kind: ReadingKind, element?: ReadingKind): FieldReading {
  if (kind === 'array') return { element: defaultReading(element ?? 'exact') };
  if (kind === 'bytes') return BINARY;
  if (kind === 'text' || kind === 'identifier') return NO_LIMIT;
  if (kind === 'number' || kind === 'integer' || kind === 'float') return DEFAULT_NUMBER;
  if (kind === 'date' || kind === 'day') return DEFAULT_DATE_READING;
  if (kind === 'boolean') return BOOLEAN;
  if (kind === 'json') return JSON_EITHER;
  return EXACT;
}
const JSON_EITHER: JsonReading = { json: 'either' };
const BINARY: BytesReading = { binary: true };
const BOOLEAN: BooleanReading = { bool: 'boolean' };
const DEFAULT_NUMBER: NumberReading = { kind: 'decimal', ignoreMalformed: false };

/** The reading of every column of `table` from its index's properties (undefined: no mapping known). */
export function tableReadingOf(
  table: TableModel,
  props: Props | undefined,
  declared: readonly string[] = [],
): IndexReading {
  // No prototype: a column named e.g. "constructor" must not find Object.prototype's.
  const columns = Object.create(null) as Record<string, FieldReading>;
  for (const c of table.columns) {
    const kind = readingKindOf(table, c);
    const m = props !== undefined && Object.hasOwn(props, c.name) ? props[c.name] : undefined;
    const element = elementKindOf(table, c);
    columns[c.name] =
      props === undefined
        ? defaultReading(kind, element)
        : kind === 'array'
          ? { element: fieldReading(c.name, element!, m) }
          : fieldReading(c.name, kind, m);
  }
  const reading = { declared: new Set(declared), columns };
  return table === PRODUCTS ? reading : { table, ...reading };
}

/** How the field `name`, mapped as `m`, reads a value of a column of that kind. */
function fieldReading(name: string, kind: ReadingKind, m: Readonly<Record<string, unknown>> | undefined): FieldReading {
  switch (kind) {
    case 'text':
    case 'identifier':
      return textReading(name, m, kind === 'identifier');
    case 'number':
    case 'integer':
    case 'float':
      return numberReading(m);
    case 'date':
    case 'day':
      return dateReadingOf(m);
    case 'boolean':
      return booleanReading(m);
    case 'json':
      return jsonReading(m);
    case 'bytes':
      return m === undefined || m['type'] === undefined || m['type'] === 'binary' ? BINARY : textReading(name, m);
    default:
      return EXACT;
  }
}

/** No mapping known (an index not created yet): the healthy pipeline's own reading, without limits. */
export const DEFAULT_INDEX_READING: IndexReading = tableReadingOf(PRODUCTS, undefined);

/** The products columns: always explained by the row. */
export const ROW_FIELDS: ReadonlySet<string> = columnNames(PRODUCTS);

const INTEGER_RANGES: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32_768, 32_767],
  integer: [-2_147_483_648, 2_147_483_647],
  long: [-Number.MAX_VALUE, Number.MAX_VALUE],
  unsigned_long: [0, Number.MAX_VALUE],
};

type Props = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * The reading of a raw index mapping: `{ properties: {...} }` (or the whole GET _mapping body of one index,
 * `{ mappings: { properties } }`), for the documents of `table` (default: products). Undefined (no index yet)
 * gives the default reading.
 */
export function indexReadingOf(raw: unknown, declared: readonly string[] = [], table = PRODUCTS): IndexReading {
  return tableReadingOf(table, propertiesOf(raw), declared);
}

function propertiesOf(raw: unknown): Props | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const inner = typeof r['mappings'] === 'object' && r['mappings'] !== null ? (r['mappings'] as typeof r) : r;
  const p = inner['properties'];
  return typeof p === 'object' && p !== null ? (p as Props) : undefined;
}

function limitOf(m: Readonly<Record<string, unknown>> | undefined): number | null {
  if (m === undefined || m['type'] !== 'keyword') return null;
  const n = Number(m['ignore_above']);
  return m['ignore_above'] !== undefined && Number.isFinite(n) ? n : null;
}

function textReading(field: string, m: Readonly<Record<string, unknown>> | undefined, identifier = false): TextReading {
  if (m === undefined || m['type'] === undefined) return NO_LIMIT;
  const type = String(m['type']);
  if (type !== 'text' && type !== 'keyword' && type !== 'match_only_text' && type !== 'wildcard')
    return { ...NO_LIMIT, unreadable: `${field} is mapped as ${type}, which holds no text` };
  let best: TextReading = { ignoreAbove: limitOf(m), limitField: limitOf(m) === null ? null : field };
  let exact = type === 'keyword' || type === 'wildcard';
  const subs = m['fields'];
  if (typeof subs === 'object' && subs !== null) {
    for (const [sub, sm] of Object.entries(subs as Props)) {
      if (sm['type'] === 'keyword') exact = true;
      const limit = limitOf(sm);
      if (limit !== null && (best.ignoreAbove === null || limit < best.ignoreAbove))
        best = { ignoreAbove: limit, limitField: `${field}.${sub}` };
    }
  }
  // A uuid or an enum label is looked up whole; an analysed field splits and lowercases it ("7C9E-..." finds
  // "7c9e-...", and no term query finds the value at all).
  if (identifier && !exact)
    return {
      ...best,
      unreadable: `${field} is mapped as ${type} (analysed) without a keyword: no exact lookup finds the value`,
    };
  return best;
}

function booleanReading(m: Readonly<Record<string, unknown>> | undefined): BooleanReading {
  const type = m?.['type'];
  if (type === undefined || type === 'boolean') return BOOLEAN;
  if (type === 'keyword' || type === 'text' || type === 'wildcard') return { bool: 'term' };
  return { bool: 'unreadable', type: String(type) };
}

const OBJECT_TYPES = new Set(['object', 'nested', 'flattened']);
const STRING_TYPES = new Set(['keyword', 'text', 'wildcard', 'match_only_text']);

function jsonReading(m: Readonly<Record<string, unknown>> | undefined): JsonReading {
  if (m === undefined) return JSON_EITHER;
  // A field with properties and no type is an object.
  const type = m['type'] ?? (m['properties'] !== undefined ? 'object' : undefined);
  if (type === undefined) return JSON_EITHER;
  if (OBJECT_TYPES.has(String(type))) return { json: 'value' };
  if (STRING_TYPES.has(String(type))) return { json: 'text' };
  return { json: 'unreadable', type: String(type) };
}

function numberReading(m: Readonly<Record<string, unknown>> | undefined): NumberReading {
  const ignoreMalformed = m?.['ignore_malformed'] === true || m?.['ignore_malformed'] === 'true';
  const type = m?.['type'];
  if (type === undefined || type === 'double') return { kind: 'decimal', ignoreMalformed };
  if (typeof type === 'string' && type in INTEGER_RANGES) {
    const [min, max] = INTEGER_RANGES[type]!;
    return { kind: 'integer', type, min, max, ignoreMalformed };
  }
  if (type === 'scaled_float') return { kind: 'scaled', factor: Number(m?.['scaling_factor']), ignoreMalformed };
  if (type === 'float') return { kind: 'float', bits: 32, ignoreMalformed };
  if (type === 'half_float') return { kind: 'float', bits: 16, ignoreMalformed };
  if (type === 'keyword' || type === 'text' || type === 'wildcard') return { kind: 'keyword', ignoreAbove: limitOf(m) };
  return { kind: 'unreadable', type: String(type) };
}
