/** created_at (and any date field): how the index reads a timestamp, and the reading of a value by those rules. */

const MINUS = 45;

/**
 * A date format of the mapping, as far as the checker reads it. Elasticsearch tries a field's formats in the
 * order written and takes the first that parses, so the order is kept.
 * - epoch_millis / epoch_second: digits (a JSON number, or a string of them) in that unit;
 * - strict_iso: strict_date_optional_time(_nanos) and the other built-in ISO formats: a 4-digit year, then
 *   optionally month, day and a time ("2024", "2024-05", "2024-05-01T10:00:00.123Z");
 * - text: a custom pattern (e.g. "yyyy-MM-dd HH:mm:ss"): read as the ISO / Postgres text forms, no year alone.
 */
export type DateFormat = 'epoch_millis' | 'epoch_second' | 'strict_iso' | 'text';

/**
 * How the index reads a date field, from its mapping: the value a range query or a sort sees is what is
 * compared, so only an encoding that indexes to the same instant is equal.
 */
export interface DateReading {
  /** In the mapping's order; empty when the field is not a date (then read as the epoch-ms number it holds). */
  formats: DateFormat[];
  /** date_nanos: the instant must lie between 1970 and 2262 (what a signed 64-bit nanosecond count holds). */
  nanos: boolean;
  /** A malformed value is dropped from the index rather than rejecting the document. */
  ignoreMalformed: boolean;
  /** The field is not a date at all (e.g. a dynamic `long`): numbers are read as the epoch ms they hold. */
  notDate?: string;
}

/** A `date` field without a `format`: Elasticsearch's default, `strict_date_optional_time||epoch_millis`. */
export const DEFAULT_DATE_READING: DateReading = {
  formats: ['strict_iso', 'epoch_millis'],
  nanos: false,
  ignoreMalformed: false,
};

/** Built-in formats read as ISO 8601 (the strict_/plain date_optional_time family and friends). */
const ISO_NAMES =
  /^(strict_)?(date_optional_time(_nanos)?|date_time(_no_millis)?|date_hour_minute_second(_millis|_fraction)?|date)$/;

/**
 * The reading of a field mapping (`{ type, format, ignore_malformed }` from GET <index>/_mapping). A field that
 * is not a date (dynamic mapping of a number makes it `long`) is read as the number it holds: equal only to
 * epoch ms.
 */
export function dateReadingOf(mapping: Readonly<Record<string, unknown>> | undefined): DateReading {
  if (mapping === undefined || mapping['type'] === undefined) return DEFAULT_DATE_READING;
  const type = mapping['type'];
  const ignoreMalformed = mapping['ignore_malformed'] === true || mapping['ignore_malformed'] === 'true';
  if (type !== 'date' && type !== 'date_nanos')
    return { formats: ['epoch_millis'], nanos: false, ignoreMalformed, notDate: String(type) };
  const nanos = type === 'date_nanos';
  const format = mapping['format'];
  if (typeof format !== 'string' || format.trim() === '') return { ...DEFAULT_DATE_READING, nanos, ignoreMalformed };
  const formats = format.split('||').map((f): DateFormat => {
    const name = f.trim();
    if (name === 'epoch_millis' || name === 'epoch_second') return name;
    return ISO_NAMES.test(name) ? 'strict_iso' : 'text';
  });
  return { formats, nanos, ignoreMalformed };
}

/** Nanoseconds since the epoch in a signed long end at 2262-04-11T23:47:16.854Z. */
const NANOS_MAX_MS = 9_223_372_036_854;

/**
 * created_at, TIMESTAMP without time zone → epoch milliseconds of the wall-clock value read as UTC (the
 * column has no zone, and Debezium encodes it as if it were UTC), read the way the index mapping reads it:
 * the mapping's formats are tried in their order, the first that parses wins (as Elasticsearch does), so under
 * `epoch_second||epoch_millis` a millisecond value is read as seconds, and under the default
 * `strict_date_optional_time||epoch_millis` the text "2024" is the year 2024, not 2024 ms. Sub-millisecond
 * digits are floored (`floor(extract(epoch from created_at) * 1000)` on the Postgres side).
 *
 * - a number or a string of digits: an epoch in the first epoch format's unit, unless an ISO format before it
 *   reads it as a year. A microsecond value (Debezium's `time.precision.mode=adaptive`) is *not* converted:
 *   read as milliseconds it is a date tens of thousands of years out, which is what every search sees.
 * - ISO-8601 / Postgres text ("2024-05-01T10:00:00.123456Z", "2024-05-01 10:00:00"): the wall clock as UTC;
 *   an explicit offset is applied.
 * - null, or an absent field (some sinks drop nulls), stays null.
 * - anything no format reads: undefined (with ignore_malformed the index drops it; either way no search sees
 *   the row's timestamp).
 */
export function normaliseTimestamp(
  value: unknown,
  reading: DateReading = DEFAULT_DATE_READING,
): number | null | undefined {
  if (value === null || value === undefined) return null;
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    // Fast path: the common healthy case, a whole number under a mapping whose first format is an epoch. Any
    // other number is read from its text, as every reading reads it (1e-7 prints as "1e-7": no plain number).
    const first = reading.formats[0];
    if (Number.isInteger(value) && (first === 'epoch_millis' || first === 'epoch_second'))
      return inRange(epochToMs(value, first), reading);
    text = String(value);
  } else if (typeof value === 'string') text = value;
  else return undefined;
  const numeric = /^-?\d+(\.\d+)?$/.test(text);
  for (const f of reading.formats) {
    let ms: number | undefined;
    if (f === 'epoch_millis' || f === 'epoch_second') ms = numeric ? epochToMs(Number(text), f) : undefined;
    else ms = parseIsoTimestamp(text, f === 'strict_iso');
    if (ms !== undefined) return inRange(ms, reading);
  }
  return undefined;
}

function inRange(ms: number | undefined, reading: DateReading): number | undefined {
  if (ms === undefined || !reading.nanos) return ms;
  return ms >= 0 && ms <= NANOS_MAX_MS ? ms : undefined;
}

function epochToMs(n: number, unit: 'epoch_millis' | 'epoch_second'): number | undefined {
  const ms = Math.floor(unit === 'epoch_second' ? n * 1000 : n);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
/** A year, or a year and month, alone: what strict_date_optional_time also accepts. */
const YEAR_MONTH = /^(\d{4})(?:-(\d{2}))?$/;

function parseIsoTimestamp(s: string, yearAlone: boolean): number | undefined {
  if (yearAlone) {
    const y = YEAR_MONTH.exec(s);
    if (y !== null) {
      const month = Number(y[2] ?? '1');
      if (month < 1 || month > 12) return undefined;
      const d = new Date(0);
      d.setUTCFullYear(Number(y[1]), month - 1, 1);
      return d.getTime();
    }
  }
  const m = ISO.exec(s);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4] ?? '0');
  const minute = Number(m[5] ?? '0');
  const second = Number(m[6] ?? '0');
  // Digits beyond the third are dropped: floor, as for µs epochs (the fraction is always non-negative).
  const ms = Number(((m[7] ?? '') + '000').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0–99 to 1900–1999
  d.setUTCHours(hour, minute, second, ms);
  if (d.getUTCDate() !== day) return undefined; // 2024-02-30 would roll over into March
  return d.getTime() - offsetMs(m[8]);
}

function offsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.charCodeAt(0) === MINUS ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

/** The reading, in words, for a failure's reason. */
export function describeReading(r: DateReading): string {
  if (r.notDate !== undefined) return `a ${r.notDate} field: epoch ms only`;
  const names = r.formats.map((f) => (f === 'strict_iso' ? 'ISO dates' : f === 'text' ? 'text dates' : f));
  const what = names.length ? names.join(', then ') : 'nothing';
  return `${r.nanos ? 'date_nanos: ' : ''}${what}${r.ignoreMalformed ? '; ignore_malformed drops other values' : ''}`;
}
