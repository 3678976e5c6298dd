import fc from 'fast-check';
import { chance, draw } from './rng.ts';
import type { ProductValues, UpdateSet } from './ops.ts';

/** VARCHAR(255) counts characters (code points), not bytes or UTF-16 units. */
export const NAME_MAX_CODE_POINTS = 255;
/** A TOAST description is at least this many bytes (ASCII, so also characters). */
export const TOAST_MIN_BYTES = 8_192;
export const TOAST_MAX_BYTES = 24_576;
export const PRICE_MAX = '99999999.99';

/** Keeps at most `max` code points, so a surrogate pair is never cut in half. */
export function clampCodePoints(s: string, max: number): string {
  let count = 0;
  let end = 0;
  for (const ch of s) {
    if (count === max) return s.slice(0, end);
    count++;
    end += ch.length;
  }
  return s;
}

/** Postgres rejects NUL in text; everything else that is valid UTF-16 is fair game. */
function noNul(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '') : s;
}

/** Hand-picked troublemakers: ZWJ sequences, skin tones, flags, keycaps, RTL, combining marks, zero-width. */
const TRICKY = [
  '👩‍👩‍👧‍👦',
  '🧑🏽‍💻',
  '👍🏿',
  '🇩🇪',
  '🇯🇵',
  '🏳️‍🌈',
  '1️⃣',
  '❤️',
  '☃',
  '😀',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'שלום',
  'مرحبا',
  '中文商品',
  'ｆｕｌｌｗｉｄｔｈ',
  'é',
  'é',
  'Z̤͔ͧ̑̓ä͖̭̈̇l͖͎g̞̥͈ͮ̏o',
  '\u200b',
  '\u200d',
  '\ufeff',
  '"quoted"',
  "it's",
  '\\back\\slash',
  '<b>html</b>',
  '{"json":true}',
  'tab\there',
  'line\nbreak',
  ' ',
];

const asciiName = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 });
const unicodeName = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });
const trickyName = fc
  .array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'grapheme-ascii', maxLength: 8 })), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => parts.join(' '));
/** Any code point but NUL, including controls and unassigned ones. */
const binaryName = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
/** Exactly at the VARCHAR(255) limit, half of them astral (two UTF-16 units each). */
const maxLengthName = fc.oneof(
  fc.string({ unit: 'grapheme-composite', minLength: NAME_MAX_CODE_POINTS, maxLength: NAME_MAX_CODE_POINTS }),
  fc.constant('🦄'.repeat(NAME_MAX_CODE_POINTS)),
);

export const nameArb: fc.Arbitrary<string> = fc
  .oneof(
    { arbitrary: asciiName, weight: 8 },
    { arbitrary: unicodeName, weight: 5 },
    { arbitrary: trickyName, weight: 4 },
    { arbitrary: binaryName, weight: 1 },
    { arbitrary: maxLengthName, weight: 1 },
    { arbitrary: fc.constant(''), weight: 1 },
  )
  .map((s) => clampCodePoints(noNul(s), NAME_MAX_CODE_POINTS));

/**
 * Descriptions that stay inline: NULL, empty, short unicode, and long-but-repetitive text that pglz compresses
 * well below the 2 KB TOAST threshold (compressed inline is not "external", so it behaves differently from TOAST).
 */
export const inlineDescriptionArb: fc.Arbitrary<string | null> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 3 },
  { arbitrary: fc.constant(''), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 120 }).map(noNul), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 400 }), weight: 2 },
  {
    arbitrary: fc
      .tuple(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 16 }), fc.integer({ min: 150, max: 400 }))
      .map(([phrase, times]) => `${phrase} `.repeat(times)),
    weight: 1,
  },
);

/**
 * A TOAST description: random bytes as base64, so pglz/lz4 find nothing to compress and Postgres must store
 * it out-of-line. Expanded from a 128-bit seed with xoshiro128** because drawing 8–24 KB character by
 * character through fast-check costs ~1 ms; this costs ~20 µs and is just as deterministic.
 */
export function toastText(s0: number, s1: number, s2: number, s3: number, length: number): string {
  let a = s0 | 0 || 1;
  let b = s1 | 0;
  let c = s2 | 0;
  let d = s3 | 0;
  const bytes = Buffer.allocUnsafe((Math.ceil((length * 3) / 16) + 1) * 4);
  for (let i = 0; i < bytes.length; i += 4) {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    bytes.writeInt32LE(r, i);
  }
  return bytes.toString('base64').slice(0, length);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export function drawToastDescription(mrng: fc.Random): string {
  const i32 = (): number => mrng.nextInt(-0x80000000, 0x7fffffff);
  return toastText(i32(), i32(), i32(), i32(), mrng.nextInt(TOAST_MIN_BYTES, TOAST_MAX_BYTES));
}

const cents = (n: number): string => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;

/** NUMERIC(10,2): 0.00 … 99999999.99, boundaries included on purpose. */
export const priceArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('0.00', '0.01', '99999999.99', '99999999.98', '1.00', '0.10'), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 100_000 }).map(cents), weight: 6 },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 99 }))
      .map(([units, c]) => `${units}.${String(c).padStart(2, '0')}`),
    weight: 2,
  },
);

export function drawDescription(mrng: fc.Random, toastProbability: number): string | null {
  return chance(mrng, toastProbability) ? drawToastDescription(mrng) : draw(inlineDescriptionArb, mrng);
}

export function drawValues(mrng: fc.Random, toastProbability: number): ProductValues {
  const name = draw(nameArb, mrng);
  const description = drawDescription(mrng, toastProbability);
  const price = draw(priceArb, mrng);
  return { name, description, price };
}

/** A non-empty subset of the columns; price-only with the given probability (the TOAST-placeholder trigger). */
export function drawUpdateSet(mrng: fc.Random, toastProbability: number, priceOnlyProbability: number): UpdateSet {
  if (chance(mrng, priceOnlyProbability)) return { price: draw(priceArb, mrng) };
  const mask = mrng.nextInt(1, 7);
  const set: UpdateSet = {};
  if (mask & 1) set.name = draw(nameArb, mrng);
  if (mask & 2) set.description = drawDescription(mrng, toastProbability);
  if (mask & 4) set.price = draw(priceArb, mrng);
  return set;
}
