/** created_at: how the index reads a timestamp, and the reading of a value by those rules. */

const MINUS = 45;

/**
 * How the index reads `created_at`, from its mapping: the value a range query or a sort sees is what is
 * compared, so only an encoding that indexes to the same instant is equal. Elasticsearch's `date` type takes
 * numbers (and digit strings) as epoch values in the unit its `format` names, and text in the date formats it
 * names; the default format is `strict_date_optional_time||epoch_millis`.
 */
export interface DateReading {
  /** Unit of numeric values, or null when the mapping takes no epoch format (numbers are then rejected). */
  epoch: 'millis' | 'second' | null;
  /** Text dates (ISO 8601 and Postgres' text form) are read. */
  iso: boolean;
}

/** A `date` field without a `format`: Elasticsearch's default, `strict_date_optional_time||epoch_millis`. */
export const DEFAULT_DATE_READING: DateReading = { epoch: 'millis', iso: true };

/**
 * The reading of a field mapping (`{ type, format }` from GET <index>/_mapping). A field that is not a date
 * (dynamic mapping of a number makes it `long`) is read as the number it holds: equal only to epoch ms.
 */
export function dateReadingOf(mapping: { type?: unknown; format?: unknown } | undefined): DateReading {
  if (mapping === undefined || mapping.type === undefined) return DEFAULT_DATE_READING;
  if (mapping.type !== 'date') return { epoch: 'millis', iso: false };
  if (typeof mapping.format !== 'string' || mapping.format.trim() === '') return DEFAULT_DATE_READING;
  const formats = mapping.format.split('||').map((f) => f.trim());
  const epoch = formats.includes('epoch_millis') ? 'millis' : formats.includes('epoch_second') ? 'second' : null;
  return { epoch, iso: formats.some((f) => f !== 'epoch_millis' && f !== 'epoch_second') };
}

/**
 * created_at, TIMESTAMP without time zone → epoch milliseconds of the wall-clock value read as UTC (the
 * column has no zone, and Debezium encodes it as if it were UTC), read the way the index mapping reads it.
 * Sub-millisecond digits are floored: a `date` field keeps milliseconds, and floor is what
 * `floor(extract(epoch from created_at) * 1000)` gives on the Postgres side.
 *
 * - a number (or a string of digits): an epoch in the mapping's unit. A microsecond value (Debezium's
 *   default `time.precision.mode=adaptive` for TIMESTAMP(6)) is *not* converted: read as milliseconds it is a
 *   date tens of thousands of years out, which is what every range query and sort on the index sees.
 * - an ISO-8601 / Postgres text timestamp ("2024-05-01T10:00:00.123456Z", "2024-05-01 10:00:00"), when the
 *   mapping takes text dates: the wall clock as UTC; an explicit offset is applied.
 * - null, or an absent field (some sinks drop nulls), stays null.
 */
export function normaliseTimestamp(
  value: unknown,
  reading: DateReading = DEFAULT_DATE_READING,
): number | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? epochToMs(value, reading.epoch) : undefined;
  if (typeof value === 'string') {
    if (/^-?\d+(\.\d+)?$/.test(value)) return epochToMs(Number(value), reading.epoch);
    return reading.iso ? parseIsoTimestamp(value) : undefined;
  }
  return undefined;
}

function epochToMs(n: number, unit: DateReading['epoch']): number | undefined {
  if (unit === null) return undefined;
  const ms = Math.floor(unit === 'second' ? n * 1000 : n);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseIsoTimestamp(s: string): number | undefined {
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
  const parts = [r.epoch ? `epoch_${r.epoch}` : '', r.iso ? 'text dates' : ''].filter(Boolean);
  return parts.length ? parts.join(' or ') : 'nothing';
}
