import { describe, expect, it } from 'vitest';
import { canonicalDecimal, isCanonicalDecimal } from './decimal.ts';

describe('canonicalDecimal', () => {
  it('keeps the sign of a value that is not zero, however it is padded', () => {
    expect(canonicalDecimal('-7.00', 0)).toBe('-7');
    expect(canonicalDecimal('-3', null)).toBe('-3');
    expect(canonicalDecimal('-0012.50', null)).toBe('-12.5');
    expect(canonicalDecimal('-012.5', 2)).toBe('-12.50');
  });

  it('prints zero unsigned at every scale, as Postgres does', () => {
    expect(canonicalDecimal('-0', 0)).toBe('0');
    expect(canonicalDecimal('-0.00', 2)).toBe('0.00');
    expect(canonicalDecimal('-0.0', null)).toBe('0');
  });

  it('reads a NUMERIC without a typmod digit by digit, and nothing else', () => {
    expect(canonicalDecimal('15', null)).toBe('15');
    expect(canonicalDecimal('01', null)).toBe('1');
    expect(canonicalDecimal('5.', null)).toBe('5');
    expect(canonicalDecimal('12x', null)).toBeUndefined();
  });

  it('at scale 0 drops a bare trailing point and refuses trailing text', () => {
    expect(canonicalDecimal('7.', 0)).toBe('7');
    expect(canonicalDecimal('7x', 0)).toBeUndefined();
  });

  // NUMERIC(p, -2) rounds to hundreds: its values end in two zeros, and a non-zero digit there is no value of it.
  it('at a negative scale accepts the multiples of its power of ten', () => {
    expect(canonicalDecimal('1200', -2)).toBe('1200');
    expect(canonicalDecimal('-1200', -2)).toBe('-1200');
    expect(canonicalDecimal('1250', -2)).toBeUndefined();
    expect(canonicalDecimal('15', -1)).toBeUndefined();
    expect(canonicalDecimal('0', -2)).toBe('0');
    expect(canonicalDecimal('-0', -1)).toBe('0');
    expect(canonicalDecimal('01200.00', -2)).toBe('1200');
    expect(canonicalDecimal('1200.5', -2)).toBeUndefined();
  });
});

describe('isCanonicalDecimal', () => {
  it('accepts what Postgres prints for the scale', () => {
    expect(isCanonicalDecimal('7', 0)).toBe(true);
    expect(isCanonicalDecimal('-7', 0)).toBe(true);
    expect(isCanonicalDecimal('0', 0)).toBe(true);
    expect(isCanonicalDecimal('19.90', 2)).toBe(true);
    expect(isCanonicalDecimal('-0.05', 2)).toBe(true);
  });

  it('refuses any other spelling of a value', () => {
    expect(isCanonicalDecimal('7.', 0)).toBe(false);
    expect(isCanonicalDecimal('7.0', 0)).toBe(false);
    expect(isCanonicalDecimal('19.9', 2)).toBe(false);
    expect(isCanonicalDecimal('019.90', 2)).toBe(false);
    expect(isCanonicalDecimal('-0', 0)).toBe(false);
    expect(isCanonicalDecimal('-0.00', 2)).toBe(false);
  });

  // At scale -1 the scale-0 check would pass "15", which NUMERIC(p, -1) cannot hold (normalise.ts trusts this answer).
  it('takes no text on trust at a negative scale', () => {
    expect(isCanonicalDecimal('15', -1)).toBe(false);
    expect(isCanonicalDecimal('0', -1)).toBe(false);
    expect(isCanonicalDecimal('1200', -2)).toBe(false);
  });
});
