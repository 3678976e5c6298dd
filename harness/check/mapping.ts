import { DEFAULT_DATE_READING, dateReadingOf, type DateReading } from './timestamps.ts';

/**
 * How the index reads each field of a products document, from the index's raw mapping (the `mappings` object
 * of GET <index>/_mapping): what a search user's query, sort or aggregation sees is what is compared.
 */
export interface IndexReading {
  name: TextReading;
  description: TextReading;
  price: NumberReading;
  created_at: DateReading;
  /** Document fields beyond the five columns that are expected (declared by the definition); others are anomalies. */
  declared: ReadonlySet<string>;
}

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
 * price (NUMERIC(10,2)): what the index holds for it.
 * - decimal: double (or unmapped): the exact decimal (today's rule, see normalisePrice);
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

/** No mapping known (an index not created yet): the healthy pipeline's own reading, without limits. */
export const DEFAULT_INDEX_READING: IndexReading = {
  name: NO_LIMIT,
  description: NO_LIMIT,
  price: { kind: 'decimal', ignoreMalformed: false },
  created_at: DEFAULT_DATE_READING,
  declared: new Set(),
};

/** The five columns: always explained by the row. */
export const ROW_FIELDS: ReadonlySet<string> = new Set(['product_id', 'name', 'description', 'price', 'created_at']);

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
 * `{ mappings: { properties } }`). Undefined (no index yet) gives the default reading.
 */
export function indexReadingOf(raw: unknown, declared: readonly string[] = []): IndexReading {
  const props = propertiesOf(raw);
  if (props === undefined) return { ...DEFAULT_INDEX_READING, declared: new Set(declared) };
  return {
    name: textReading('name', props['name']),
    description: textReading('description', props['description']),
    price: numberReading(props['price']),
    created_at: dateReadingOf(props['created_at']),
    declared: new Set(declared),
  };
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

function textReading(field: string, m: Readonly<Record<string, unknown>> | undefined): TextReading {
  if (m === undefined || m['type'] === undefined) return NO_LIMIT;
  const type = String(m['type']);
  if (type !== 'text' && type !== 'keyword' && type !== 'match_only_text' && type !== 'wildcard')
    return { ...NO_LIMIT, unreadable: `${field} is mapped as ${type}, which holds no text` };
  let best: TextReading = { ignoreAbove: limitOf(m), limitField: limitOf(m) === null ? null : field };
  const subs = m['fields'];
  if (typeof subs === 'object' && subs !== null) {
    for (const [sub, sm] of Object.entries(subs as Props)) {
      const limit = limitOf(sm);
      if (limit !== null && (best.ignoreAbove === null || limit < best.ignoreAbove))
        best = { ignoreAbove: limit, limitField: `${field}.${sub}` };
    }
  }
  return best;
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
