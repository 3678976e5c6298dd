import { describe, expect, it } from 'vitest';
import { DEFAULT_DATE_READING, dateReadingOf, describeReading, normaliseTimestamp } from './timestamps.ts';

const date = (format: string) => dateReadingOf({ type: 'date', format });

describe('dateReadingOf', () => {
  it('reads the ISO built-ins as ISO dates, with or without strict_', () => {
    for (const name of [
      'date_optional_time',
      'strict_date_optional_time_nanos',
      'date_time',
      'strict_date_time',
      'strict_date_time_no_millis',
      'date_hour_minute_second',
      'strict_date_hour_minute_second_millis',
      'date_hour_minute_second_fraction',
      'strict_date',
    ])
      expect(date(name).formats, name).toEqual(['strict_iso']);
  });

  it('reads the other built-ins and custom patterns as text dates', () => {
    for (const name of ['basic_date', 'week_date', 'date_hour', 'strict_date_hour_minute', 'yyyy-MM-dd HH:mm:ss'])
      expect(date(name).formats, name).toEqual(['text']);
  });

  it('takes ignore_malformed as a boolean or its text', () => {
    expect(dateReadingOf({ type: 'date', ignore_malformed: true }).ignoreMalformed).toBe(true);
    expect(dateReadingOf({ type: 'date', ignore_malformed: 'true' }).ignoreMalformed).toBe(true);
    expect(dateReadingOf({ type: 'long', ignore_malformed: true }).ignoreMalformed).toBe(true);
    expect(dateReadingOf({ type: 'date', ignore_malformed: false }).ignoreMalformed).toBe(false);
    expect(dateReadingOf({ type: 'date', ignore_malformed: 'false' }).ignoreMalformed).toBe(false);
    expect(dateReadingOf({ type: 'date' }).ignoreMalformed).toBe(false);
  });

  it('reads date_nanos as a date, with or without a format', () => {
    expect(dateReadingOf({ type: 'date_nanos' })).toEqual({ ...DEFAULT_DATE_READING, nanos: true });
    expect(dateReadingOf({ type: 'date_nanos', format: 'epoch_millis' })).toEqual({
      formats: ['epoch_millis'],
      nanos: true,
      ignoreMalformed: false,
    });
  });
});

describe('normaliseTimestamp: a year, or a year and month, alone', () => {
  it('is the first instant of that year or month under strict_date_optional_time', () => {
    expect(normaliseTimestamp('2024')).toBe(Date.UTC(2024, 0, 1));
    expect(normaliseTimestamp('2024-01')).toBe(Date.UTC(2024, 0, 1));
    expect(normaliseTimestamp('2024-05')).toBe(Date.UTC(2024, 4, 1));
    expect(normaliseTimestamp('2024-12')).toBe(Date.UTC(2024, 11, 1));
    expect(normaliseTimestamp('0099')).toBe(-59_042_995_200_000); // the year 99, not 1999
  });

  // The default mapping tries the ISO format before epoch_millis, so a number of four digits is a year too.
  it('takes a four-digit number as a year before it is an epoch', () => {
    expect(normaliseTimestamp(2024)).toBe(Date.UTC(2024, 0, 1));
  });

  it('has no month 0 or 13', () => {
    expect(normaliseTimestamp('2024-00')).toBeUndefined();
    expect(normaliseTimestamp('2024-13')).toBeUndefined();
  });

  it('is no date for a custom pattern, which needs a whole date', () => {
    const text = date('yyyy-MM-dd HH:mm:ss');
    expect(normaliseTimestamp('2024', text)).toBeUndefined();
    expect(normaliseTimestamp('2024-05', text)).toBeUndefined();
    expect(normaliseTimestamp('2024-05-01 10:20:30', text)).toBe(Date.UTC(2024, 4, 1, 10, 20, 30));
  });
});

describe('normaliseTimestamp: epoch text', () => {
  it('is digits only: no exponent, hex or padding', () => {
    for (const reading of [DEFAULT_DATE_READING, date('epoch_millis')])
      for (const text of ['1e3', '0x10', ' 1000', '1000 '])
        expect(normaliseTimestamp(text, reading), `${text} under ${describeReading(reading)}`).toBeUndefined();
    expect(normaliseTimestamp('1000', date('epoch_millis'))).toBe(1000);
  });
});

describe('normaliseTimestamp under date_nanos', () => {
  const nanos = dateReadingOf({ type: 'date_nanos' });

  it('holds the instants from 1970 to the end of a signed 64-bit nanosecond count', () => {
    expect(normaliseTimestamp('1970-01-01T00:00:00Z', nanos)).toBe(0);
    expect(normaliseTimestamp('2024-05-01T10:20:30.123Z', nanos)).toBe(Date.UTC(2024, 4, 1, 10, 20, 30, 123));
    const last = Date.UTC(2262, 3, 11, 23, 47, 16, 854);
    expect(normaliseTimestamp('2262-04-11T23:47:16.854Z', nanos)).toBe(last);
    expect(normaliseTimestamp(String(last), dateReadingOf({ type: 'date_nanos', format: 'epoch_millis' }))).toBe(last);
  });

  it('holds nothing before 1970 or after 2262-04-11T23:47:16.854775807Z', () => {
    expect(normaliseTimestamp('1969-12-31T23:59:59.999Z', nanos)).toBeUndefined();
    expect(normaliseTimestamp('2262-04-11T23:47:16.855Z', nanos)).toBeUndefined();
    expect(normaliseTimestamp(-1, dateReadingOf({ type: 'date_nanos', format: 'epoch_millis' }))).toBeUndefined();
    // A plain date holds both.
    expect(normaliseTimestamp('1969-12-31T23:59:59.999Z')).toBe(-1);
    expect(normaliseTimestamp('2262-04-11T23:47:16.855Z')).toBe(Date.UTC(2262, 3, 11, 23, 47, 16, 855));
  });
});

describe('describeReading', () => {
  it('names a field that is not a date by its type', () => {
    expect(describeReading(dateReadingOf({ type: 'long' }))).toBe('a long field: epoch ms only');
  });

  it('names date_nanos and ignore_malformed', () => {
    expect(describeReading(dateReadingOf({ type: 'date_nanos', ignore_malformed: true }))).toBe(
      'date_nanos: ISO dates, then epoch_millis; ignore_malformed drops other values',
    );
    expect(describeReading(DEFAULT_DATE_READING)).toBe('ISO dates, then epoch_millis');
    expect(describeReading(date('yyyy-MM-dd||epoch_second'))).toBe('text dates, then epoch_second');
  });
});

describe('a number that is not whole', () => {
  it('is read from its text under every mapping: a fraction of a millisecond, or no plain number at all', () => {
    for (const reading of [DEFAULT_DATE_READING, date('epoch_millis'), date('epoch_second')]) {
      expect(normaliseTimestamp(1e-7, reading), 'prints as 1e-7').toBeUndefined();
      expect(normaliseTimestamp(1e21, reading), 'prints as 1e+21').toBeUndefined();
    }
    expect(normaliseTimestamp(1.5, date('epoch_second'))).toBe(normaliseTimestamp('1.5', date('epoch_second')));
    expect(normaliseTimestamp(1000, date('epoch_second'))).toBe(1_000_000);
  });
});

describe('a whole number under an epoch mapping', () => {
  // A sink may write the value as a JSON number or as its digits: the index reads both alike, -0 (JSON `-0`) too.
  it('reads as its digits read', () => {
    const readings = [
      date('epoch_millis'),
      date('epoch_second'),
      date('epoch_second||epoch_millis'),
      dateReadingOf({ type: 'date_nanos', format: 'epoch_millis' }),
    ];
    const pairs: [number, string][] = [
      [0, '0'],
      [-0, '-0'],
      [-1, '-1'],
      [1000, '1000'],
      [1_714_558_830_123, '1714558830123'],
    ];
    for (const reading of readings)
      for (const [n, text] of pairs)
        expect(normaliseTimestamp(n, reading), `${text} under ${describeReading(reading)}`).toBe(
          normaliseTimestamp(text, reading),
        );
    expect(normaliseTimestamp(1000, date('epoch_second||epoch_millis'))).toBe(1_000_000);
  });

  // epoch_second parses any count of seconds, so Elasticsearch never gets to the next format: seconds whose
  // milliseconds pass 2^53 are a date the model cannot hold exactly, not a millisecond count.
  it('is no reading as seconds past 2^53 ms, and not taken by a later epoch_millis', () => {
    const reading = date('epoch_second||epoch_millis');
    expect(normaliseTimestamp(9_007_199_254_740, reading)).toBe(9_007_199_254_740_000);
    expect(normaliseTimestamp(9_007_199_254_741, reading)).toBeUndefined();
    expect(normaliseTimestamp(1e13, reading)).toBeUndefined();
  });
});
