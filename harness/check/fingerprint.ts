import type { ProductRow } from '../workload/history.ts';

/**
 * A 53-bit fingerprint of a normalised row's content (product_id excluded: versions are always looked up
 * within one product). The versions index keeps only these for the million-row case, so they must be
 * cheap to compute, allocation-free, and collide rarely: two independent 32-bit hashes (a MurmurHash3 round
 * and a multiply-xorshift) cut down to 32 + 21 bits, i.e. a collision chance of ~1e-16 per pair of states —
 * and a collision matters only between versions of the same product.
 *
 * Rows must be normalised first (see normalise.ts): the fingerprint hashes exactly the canonical values.
 */
export type Fingerprint = number;

/** The fingerprint of "no row" (a delete). Real fingerprints are ≥ 0. */
export const DELETED: Fingerprint = -1;

// Field separators and the null marker lie outside the UTF-16 code-unit range, so ("ab", "c") and ("a", "bc")
// or null and "" can never feed the same sequence into the hash.
const SEPARATOR = 0x10000;
const NULL = 0x20000;

let h1 = 0;
let h2 = 0;

function mix(c: number): void {
  let k = Math.imul(c, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h1 ^= Math.imul(k, 0x1b873593);
  h1 = (h1 << 13) | (h1 >>> 19);
  h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  h2 = Math.imul(h2 ^ c, 0x85ebca6b);
  h2 ^= h2 >>> 13;
}

function mixString(s: string): void {
  for (let i = 0; i < s.length; i++) mix(s.charCodeAt(i));
  mix(SEPARATOR);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function fingerprintRow(row: ProductRow): Fingerprint {
  h1 = 0x9747b28c;
  h2 = 0x2545f491;
  mixString(row.name);
  if (row.description === null) mix(NULL);
  else mixString(row.description);
  mixString(row.price);
  const t = row.created_at;
  if (t === null) mix(NULL);
  else {
    const high = Math.floor(t / 0x1_0000_0000);
    mix(high | 0);
    mix((t - high * 0x1_0000_0000) | 0);
  }
  return fmix(h1) * 0x20_0000 + (fmix(h2) >>> 11);
}
