import { describe, expect, it } from 'vitest';
import { DuplicateCounter, recordLsn } from './topic-duplicates.ts';

const rec = (key: string | null, lsn: string | undefined, value: string | null = '{"product_id":1}') => ({
  key: key === null ? null : Buffer.from(key),
  headers: lsn === undefined ? {} : { __lsn: Buffer.from(lsn) },
  value: value === null ? null : Buffer.from(value),
});

describe('records sent twice', () => {
  it('reads the LSN from the unwrap header, else from the envelope, else not at all', () => {
    expect(recordLsn(rec('1', '3000'))).toBe('3000');
    expect(recordLsn({ headers: { __lsn: [Buffer.from('7')] }, value: null })).toBe('7');
    expect(recordLsn(rec('1', undefined, '{"payload":{"source":{"lsn":42}}}'))).toBe('42');
    expect(recordLsn(rec('1', undefined, '{"source":{"lsn":43},"op":"u"}'))).toBe('43');
    expect(recordLsn(rec('1', undefined, '{"product_id":1}'))).toBeUndefined();
    expect(recordLsn(rec('1', undefined, 'not json'))).toBeUndefined();
    expect(recordLsn(rec('1', undefined, null))).toBeUndefined();
    expect(recordLsn(rec('1', undefined, 'null'))).toBeUndefined();
  });

  it('counts a record whose topic, key, LSN and kind were all seen before; nothing else', () => {
    const c = new DuplicateCounter();
    c.add('t', rec('1', '100'));
    c.add('t', rec('2', '100')); // another row at the same LSN (one statement, several rows)
    c.add('t', rec('1', '101')); // the same row, a later change
    c.add('t', rec('1', '101', null)); // its delete's tombstone at that LSN
    c.add('u', rec('1', '100')); // another topic
    expect([c.records, c.duplicates]).toEqual([5, 0]);
    c.add('t', rec('1', '100'));
    c.add('t', rec('1', '101', 'null'));
    c.add('t', rec('3', undefined));
    expect({ records: c.records, duplicates: c.duplicates, unidentified: c.unidentified }).toEqual({
      records: 8,
      duplicates: 2,
      unidentified: 1,
    });
    expect(c.examples).toEqual(['t 1 @ 100', 't 1 @ 101']);
  });

  it('names at most five examples', () => {
    const c = new DuplicateCounter();
    for (let i = 0; i < 8; i++) for (let n = 0; n < 2; n++) c.add('t', rec(String(i), '9'));
    expect(c.duplicates).toBe(8);
    expect(c.examples).toHaveLength(5);
  });
});
