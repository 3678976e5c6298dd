/**
 * NUMERIC values as canonical decimal strings: parsed digit by digit, never through a float, so "19.9" and
 * "19.90" are one value and a mangled "19.999" can never round to a committed one.
 */

const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * A decimal text → its canonical form for a column of that scale, or undefined when it is not a plain decimal or
 * has more significant fraction digits than the scale holds.
 * - scale n: exactly n fraction digits ("19.9" → "19.90" at scale 2; "19.999" is no NUMERIC(10,2) value);
 * - scale 0: no point ("7.00" → "7");
 * - scale -k (Postgres 15+): an integer that is a multiple of 10^k ("1200" at -2; "1250" is no value of it);
 * - scale null (NUMERIC without a typmod): trailing fraction zeros dropped ("1.50" → "1.5", "2.0" → "2"), since
 *   Postgres keeps the scale it was given and a JSON number cannot.
 * Leading zeros are dropped and zero is unsigned, as Postgres prints it. The precision is not checked: a value
 * too wide for the column equals no row anyway.
 */
export function canonicalDecimal(s: string, scale: number | null): string | undefined {
  if (scale !== null && scale < 0) {
    // NUMERIC(p, -k) rounds to multiples of 10^k: an integer ending in k zeros (or zero itself).
    const int = canonicalDecimal(s, 0);
    return int !== undefined && (int === '0' || int.endsWith('0'.repeat(-scale))) ? int : undefined;
  }
  if (scale !== null && isCanonicalDecimal(s, scale)) return s;
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

  // Fraction: drop trailing zeros beyond the scale; a significant digit beyond it is out of the column.
  const keep = scale ?? 0;
  let f = fracEnd;
  while (f - fracStart > keep && s.charCodeAt(f - 1) === ZERO) f--;
  if (scale !== null && f - fracStart > scale) return undefined;
  const frac = scale === null ? s.slice(fracStart, f) : s.slice(fracStart, f).padEnd(scale, '0');

  let z = intStart;
  while (z < intEnd - 1 && s.charCodeAt(z) === ZERO) z++;
  const int = intEnd === intStart ? '0' : s.slice(z, intEnd);

  if (int === '0' && /^0*$/.test(frac)) negative = false; // Postgres prints -0.00 as 0.00
  const out = (negative ? '-' : '') + int + (frac === '' ? '' : '.' + frac);
  return out === s ? s : out;
}

/**
 * Already "-?(0|[1-9]d*).d{scale}" (what Postgres prints for that scale)? Checked without allocating. A negative
 * scale is never taken on trust (canonicalDecimal checks its trailing zeros).
 */
export function isCanonicalDecimal(s: string, scale: number): boolean {
  if (scale < 0) return false;
  const n = s.length;
  let i = s.charCodeAt(0) === MINUS ? 1 : 0;
  const intEnd = scale === 0 ? n : n - scale - 1;
  if (intEnd - i < 1) return false;
  if (scale > 0) {
    if (s.charCodeAt(intEnd) !== DOT) return false;
    for (let j = intEnd + 1; j < n; j++) if (!isDigit(s.charCodeAt(j))) return false;
  }
  if (s.charCodeAt(i) === ZERO && intEnd - i !== 1) return false; // a leading zero only in "0.dd"
  for (; i < intEnd; i++) if (!isDigit(s.charCodeAt(i))) return false;
  // "-0.00" is not canonical: Postgres prints zero unsigned.
  return !(s.charCodeAt(0) === MINUS && /^-0(\.0*)?$/.test(s));
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}
