import { describe, expect, it } from 'vitest';
import { looksBinary, markerSeq } from './probe-kafka.ts';
import { probeName } from './probe-ledger.ts';

describe('probe-kafka record matching', () => {
  const json = (name: string) =>
    JSON.stringify({ schema: {}, payload: { before: null, after: { product_id: 0, name }, op: 'u' } });

  it("reads this run's marker seq from a JSON record value", () => {
    expect(markerSeq(json(probeName('ab12cd34', 417)), 'ab12cd34')).toBe(417);
  });

  it("ignores another run's marker, a workload row and a name without a seq", () => {
    expect(markerSeq(json(probeName('ffffffff', 3)), 'ab12cd34')).toBeUndefined();
    expect(markerSeq(json('a product'), 'ab12cd34')).toBeUndefined();
    expect(markerSeq(json('outbox-chaos probe ab12cd34 x'), 'ab12cd34')).toBeUndefined();
  });

  it('tells binary (Confluent wire format) values from text', () => {
    expect(looksBinary(Buffer.from([0, 0, 0, 0, 7, 2, 65]))).toBe(true);
    expect(looksBinary(Buffer.from(json('x')))).toBe(false);
  });
});
