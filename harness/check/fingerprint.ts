import { codecOf } from '../model/codecs.ts';
import { PRODUCTS } from '../model/products.ts';
import type { Row, TableModel } from '../model/table.ts';
import type { ProductRow } from '../record/history.ts';

/**
 * A 53-bit fingerprint of a normalised row's content (product_id excluded: versions are always looked up
 * within one product). The versions index keeps only these for the million-row case, so they must be cheap
 * and collide rarely: two 32-bit hashes of different constructions (a MurmurHash3 round and a
 * multiply-xorshift) over the same words, cut down to 32 + 21 bits: ~1e-16 per pair of distinct states, and a
 * collision matters only between versions of the same product.
 *
 * Rows must be normalised first (see normalise.ts): the fingerprint hashes exactly the canonical values.
 */
export type Fingerprint = number;

/** The fingerprint of "no row" (a delete). Real fingerprints are ≥ 0. */
export const DELETED: Fingerprint = -1;

/** A null text field. String lengths are below 2^30, so this is never a length word. */
const NULL_TEXT = -1;
/** The high word of a null timestamp: safe-integer epochs have |high| < 2^21. */
const NULL_TIME = 0x7fff_ffff;

/**
 * The words hashed are an unambiguous encoding of the row: per text field its length, then its UTF-16 code
 * units packed two to a word (NULL_TEXT alone for null); then created_at as two words. Both hash states live
 * in locals of one function: this runs once per history effect (millions), and module-level state mutated
 * by helper calls was several times slower.
 */
export function fingerprintRow(row: ProductRow): Fingerprint {
  let h1 = 0x9747b28c;
  let h2 = 0x2545f491;
  const t = row.created_at;
  const high = t === null ? NULL_TIME : Math.floor(t / 0x1_0000_0000);
  const low = t === null ? 0 : (t - high * 0x1_0000_0000) | 0;

  // Three text fields — a header word (length or NULL_TEXT), then code-unit pairs — then created_at's two
  // words, all through one mixing step; j counts words of a field, i code units.
  for (let f = 0; f < 4; f++) {
    const s = f === 0 ? row.name : f === 1 ? row.description : f === 2 ? row.price : null;
    const n = s === null ? 0 : s.length;
    for (let j = 0, i = 0; f === 3 ? j < 2 : j === 0 || i < n; j++) {
      let k: number;
      if (f === 3) k = j === 0 ? high : low;
      else if (j === 0) k = s === null ? NULL_TEXT : n;
      else {
        k = s!.charCodeAt(i) | (i + 1 < n ? s!.charCodeAt(i + 1) << 16 : 0);
        i += 2;
      }
      k = Math.imul(k, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h1 ^= Math.imul(k, 0x1b873593);
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      h2 = Math.imul(h2 ^ k, 0x85ebca6b);
      h2 ^= h2 >>> 13;
    }
  }
  return fmix(h1) * 0x20_0000 + (fmix(h2) >>> 11);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const FINGERPRINTS = new WeakMap<TableModel, (row: Row) => Fingerprint>();

/**
 * The fingerprint function of a table's rows: products' own (fingerprintRow, the hot path), or for any other
 * table the same hash over its compared columns other than the key, in table order (fingerprintColumns).
 */
export function fingerprintOf(table: TableModel = PRODUCTS): (row: Row) => Fingerprint {
  if (table === PRODUCTS) return fingerprintRow as unknown as (row: Row) => Fingerprint;
  let f = FINGERPRINTS.get(table);
  if (f === undefined) {
    const names = table.columns
      .filter((c) => !table.key.includes(c.name) && c.lossy === undefined && codecOf(c) !== undefined)
      .map((c) => c.name);
    f = fingerprintColumns(names);
    FINGERPRINTS.set(table, f);
  }
  return f;
}

/** Tag words: each value starts with one, which says how many words follow (so the encoding is unambiguous). */
const TAG_NULL = -2;
const TAG_TEXT = -3;
const TAG_NUMBER = -4;
const TAG_TRUE = -5;
const TAG_FALSE = -6;
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/**
 * A fingerprint over the named columns of a normalised row, in that order: per value a tag word, then for text
 * its length and code-unit pairs, for a number the two words of its double. Same mixing as fingerprintRow.
 */
export function fingerprintColumns(names: readonly string[]): (row: Row) => Fingerprint {
  return (row) => {
    let h1 = 0x9747b28c;
    let h2 = 0x2545f491;
    const mix = (word: number): void => {
      let k = Math.imul(word, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h1 ^= Math.imul(k, 0x1b873593);
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      h2 = Math.imul(h2 ^ k, 0x85ebca6b);
      h2 ^= h2 >>> 13;
    };
    for (const name of names) {
      const v = row[name];
      if (v === null || v === undefined) mix(TAG_NULL);
      else if (typeof v === 'string') {
        mix(TAG_TEXT);
        mix(v.length);
        for (let i = 0; i < v.length; i += 2) mix(v.charCodeAt(i) | (i + 1 < v.length ? v.charCodeAt(i + 1) << 16 : 0));
      } else if (typeof v === 'number') {
        F64[0] = v === 0 ? 0 : v; // -0 === 0: one fingerprint
        mix(TAG_NUMBER);
        mix(U32[0]!);
        mix(U32[1]!);
      } else mix(v ? TAG_TRUE : TAG_FALSE);
    }
    return fmix(h1) * 0x20_0000 + (fmix(h2) >>> 11);
  };
}
