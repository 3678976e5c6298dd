import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { docOf, HistoryRecorder, product } from '../../test/fixtures/checker.ts';
import type { Comparison, EsDoc } from '../record/anomalies.ts';
import type { ProductRow } from '../record/history.ts';
import { compare } from './compare.ts';
import { indexReadingOf } from './mapping.ts';
import { normalisePgRow } from './normalise.ts';
import { buildVersions } from './versions.ts';

const ROOT = join(import.meta.dirname, '../..');
const healthyProps = (
  JSON.parse(readFileSync(join(ROOT, 'connectors/es-index.json'), 'utf8')) as {
    mappings: { properties: Record<string, unknown> };
  }
).mappings.properties;

/** The healthy mapping with some fields mapped otherwise. */
function mapped(fields: Record<string, unknown>, declared: string[] = []) {
  return indexReadingOf({ properties: { ...healthyProps, ...fields } }, declared);
}

/** One product's row, committed, and its one document: the comparison under a mapping. */
async function one(
  row: ProductRow,
  source: Record<string, unknown>,
  reading: ReturnType<typeof indexReadingOf>,
): Promise<Comparison> {
  const h = new HistoryRecorder();
  h.insert(row);
  const doc: EsDoc = { _id: String(row.product_id), _source: source };
  return compare({ versions: buildVersions(h.entries), pg: [row], es: [doc], reading });
}

/** Which class the one product got ('equal' when none). */
async function classOf(
  row: ProductRow,
  source: Record<string, unknown>,
  reading: ReturnType<typeof indexReadingOf>,
): Promise<string> {
  const c = await one(row, source, reading);
  const classes = Object.entries(c.counts).filter(([, n]) => n > 0);
  return c.equal ? 'equal' : classes.map(([k]) => k).join('+');
}

const at = Date.UTC(2024, 4, 1, 10, 20, 30, 123);
const row = product(1, { created_at: at });
const src = (over: Record<string, unknown> = {}) => ({ ...docOf(row)._source, ...over });

describe('dates: always through the reading, formats in the order written', () => {
  it("a millisecond number under epoch_second is not equal, though it is the row's number", async () => {
    const r = mapped({ created_at: { type: 'date', format: 'epoch_second' } });
    expect(await classOf(row, src({ created_at: at }), r)).toBe('corrupt');
    const whole = product(1, { created_at: 1_714_000_000_000 });
    expect(await classOf(whole, { ...docOf(whole)._source, created_at: 1_714_000_000 }, r)).toBe('equal');
  });

  it('with several formats the first that parses wins: epoch_second||epoch_millis reads ms as seconds', async () => {
    const secondsFirst = mapped({ created_at: { type: 'date', format: 'epoch_second||epoch_millis' } });
    expect(await classOf(row, src({ created_at: at }), secondsFirst)).toBe('corrupt');
    const whole = product(1, { created_at: 1_714_000_000_000 });
    expect(await classOf(whole, { ...docOf(whole)._source, created_at: 1_714_000_000 }, secondsFirst)).toBe('equal');
    const millisFirst = mapped({ created_at: { type: 'date', format: 'epoch_millis||epoch_second' } });
    expect(await classOf(row, src({ created_at: at }), millisFirst)).toBe('equal');
  });

  it('a malformed value under ignore_malformed is dropped by the index: never equal', async () => {
    const r = mapped({ created_at: { type: 'date', format: 'strict_date_optional_time', ignore_malformed: true } });
    expect(await classOf(row, src({ created_at: at }), r)).toBe('corrupt');
    const c = await one(row, src({ created_at: at }), r);
    expect(c.examples.corrupt[0]!.detail).toMatch(/created_at .* ignore_malformed/);
    expect(await classOf(row, src({ created_at: '2024-05-01T10:20:30.123Z' }), r)).toBe('equal');
  });

  it('year-only text is a year by default ("2024" is 2024-01-01), epoch ms under epoch_millis', async () => {
    const y = product(1, { created_at: Date.UTC(2024, 0, 1) });
    const byDefault = mapped({ created_at: { type: 'date' } });
    expect(await classOf(y, { ...docOf(y)._source, created_at: '2024' }, byDefault)).toBe('equal');
    expect(await classOf(y, { ...docOf(y)._source, created_at: '2024-01' }, byDefault)).toBe('equal');
    const ms = product(1, { created_at: 2024 });
    expect(await classOf(ms, { ...docOf(ms)._source, created_at: '2024' }, byDefault)).toBe('corrupt');
    const millis = mapped({ created_at: { type: 'date', format: 'epoch_millis' } });
    expect(await classOf(ms, { ...docOf(ms)._source, created_at: '2024' }, millis)).toBe('equal');
  });

  it('date_nanos reads ISO text and epoch ms, and holds nothing before 1970', async () => {
    const nanos = mapped({ created_at: { type: 'date_nanos' } });
    expect(await classOf(row, src({ created_at: '2024-05-01T10:20:30.123456789Z' }), nanos)).toBe('equal');
    expect(await classOf(row, src({ created_at: at }), nanos)).toBe('equal');
    const old = product(1, { created_at: Date.UTC(1969, 11, 31) });
    expect(await classOf(old, { ...docOf(old)._source, created_at: '1969-12-31T00:00:00Z' }, nanos)).toBe('corrupt');
  });
});

describe('numbers: what the index holds for the price', () => {
  it('short truncates toward zero: 19.99 is held as 19, far below 32,767', async () => {
    const r = mapped({ price: { type: 'short' } });
    expect(await classOf(row, src({ price: 19.99 }), r)).toBe('corrupt');
    expect(await classOf(row, src({ price: '19.99' }), r)).toBe('corrupt');
    const whole = product(1, { price: '19.00', created_at: at });
    expect(await classOf(whole, { ...docOf(whole)._source, price: 19 }, r)).toBe('equal');
    const neg = product(1, { price: '-7.00', created_at: at });
    expect(await classOf(neg, { ...docOf(neg)._source, price: -7 }, r)).toBe('equal');
    // Held as -7 (toward zero), but the hit's _source shows -7.9: a search user sees both.
    expect(await classOf(neg, { ...docOf(neg)._source, price: -7.9 }, r)).toBe('corrupt');
    const c = await one(row, src({ price: 19.99 }), r);
    expect(c.examples.corrupt[0]!.detail).toMatch(/equals no committed version/);
    const big = product(1, { price: '40000.00', created_at: at });
    expect(await classOf(big, { ...docOf(big)._source, price: 40000 }, r)).toBe('corrupt'); // out of range
  });

  it('scaled_float rounds value × scaling_factor: exact with 100, 20.0 with 10', async () => {
    expect(
      await classOf(row, src({ price: 19.99 }), mapped({ price: { type: 'scaled_float', scaling_factor: 100 } })),
    ).toBe('equal');
    const ten = mapped({ price: { type: 'scaled_float', scaling_factor: 10 } });
    expect(await classOf(row, src({ price: 19.99 }), ten)).toBe('corrupt');
    const c = await one(row, src({ price: 19.99 }), ten);
    expect(c.examples.corrupt[0]!.detail).toMatch(/price 19\.99 ≠ "19\.99"/);
  });

  it('the realistic mapping (scaled_float × 100): a price that is indexed otherwise is caught', async () => {
    const realistic = indexReadingOf(
      (
        JSON.parse(readFileSync(join(ROOT, 'examples/realistic-mapping/es-index.json'), 'utf8')) as {
          mappings: unknown;
        }
      ).mappings,
    );
    expect(await classOf(row, src({ price: 19.99 }), realistic)).toBe('equal');
    const big = product(1, { price: '80477771.74', created_at: at });
    expect(await classOf(big, { ...docOf(big)._source, price: '80477771.74' }, realistic)).toBe('equal');
    // 19.996 is indexed as round(1999.6) / 100 = 20.00: not the row's 19.99.
    const c = await one(row, src({ price: 19.996 }), realistic);
    expect(c.counts.corrupt).toBe(1);
    expect(c.examples.corrupt[0]!.detail).toMatch(/price 19\.996 ≠ "19\.99"/);
  });

  it('keyword is an exact term: "19.9" is not "19.90"', async () => {
    const r = mapped({ price: { type: 'keyword' } });
    const p = product(1, { price: '19.90', created_at: at });
    expect(await classOf(p, { ...docOf(p)._source, price: '19.9' }, r)).toBe('corrupt');
    expect(await classOf(p, { ...docOf(p)._source, price: 19.9 }, r)).toBe('corrupt');
    expect(await classOf(p, { ...docOf(p)._source, price: '19.90' }, r)).toBe('equal');
  });

  it('float holds the nearest single-precision value: a row it cannot tell apart from others is not held', async () => {
    const r = mapped({ price: { type: 'float' } });
    expect(await classOf(row, src({ price: 19.99 }), r)).toBe('equal');
    const big = product(1, { price: '99999999.99', created_at: at });
    expect(await classOf(big, { ...docOf(big)._source, price: 99999999.99 }, r)).toBe('corrupt');
  });
});

describe('NaN: Postgres NUMERIC holds it, Elasticsearch numeric fields do not', () => {
  it('a NaN row is read, not thrown on', () => {
    const raw = { product_id: 1, name: 'n', description: null, price: 'NaN', created_at: String(at) };
    expect(normalisePgRow(raw)).toMatchObject({ product_id: 1, price: 'NaN' });
  });

  it('numeric mapping: no document (rejected) is missing, a document without a readable price is corrupt', async () => {
    const nan = product(1, { price: 'NaN', created_at: at });
    const h = new HistoryRecorder();
    h.insert(nan);
    const none = await compare({ versions: buildVersions(h.entries), pg: [nan], es: [], reading: mapped({}) });
    expect(none.counts.missing).toBe(1);
    expect(await classOf(nan, { ...docOf(nan)._source, price: 'NaN' }, mapped({}))).toBe('corrupt');
    expect(await classOf(nan, { ...docOf(nan)._source, price: 'NaN' }, mapped({ price: { type: 'keyword' } }))).toBe(
      'equal',
    );
  });
});

describe('text: keyword lookups', () => {
  it("a name over name.keyword's ignore_above drops out of keyword lookups, named", async () => {
    const r = mapped({ name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 10 } } } });
    const long = product(1, { name: 'a name of 21 letters', created_at: at });
    expect(await classOf(long, docOf(long)._source, r)).toBe('corrupt');
    const c = await one(long, docOf(long)._source, r);
    expect(c.examples.corrupt[0]!.detail).toMatch(/name\.keyword's ignore_above 10/);
    expect(await classOf(product(1, { name: 'short', created_at: at }), { ...src(), name: 'short' }, r)).toBe('equal');
  });

  it('counts UTF-16 units, as Java does: 255 astral characters are 510', async () => {
    const name = '🦄'.repeat(255);
    const p = product(1, { name, created_at: at });
    const at256 = mapped({ name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } } });
    expect(await classOf(p, docOf(p)._source, at256)).toBe('corrupt');
    expect(await classOf(p, docOf(p)._source, mapped({}))).toBe('equal'); // the healthy mapping holds it
  });
});

describe('fields the row does not explain', () => {
  it.each([
    [{ __deleted: 'false' }, '__deleted'],
    [{ op: 'u', before: null, after: null }, 'op'],
    [{ __op: 'u' }, '__op'],
  ])('%j → unexpected-field naming it', async (extra, field) => {
    const c = await one(row, src(extra), mapped({}));
    expect(c.counts['unexpected-field']).toBe(1);
    expect(c.examples['unexpected-field'][0]!.detail).toContain(field);
  });

  it('a declared field is expected', async () => {
    expect(await classOf(row, src({ __deleted: 'false' }), mapped({}, ['__deleted']))).toBe('equal');
  });
});

describe('no healthy definition becomes a false alarm', () => {
  it('the healthy mapping reads every encoding the healthy pipeline writes as equal', async () => {
    const r = mapped({});
    for (const form of [{}, { price: 'number' as const }, { productId: 'string' as const }])
      expect(await classOf(row, docOf(row, form)._source, r)).toBe('equal');
  });

  it('of the zoo mappings, only malformed-document (price short) reads the healthy documents differently', async () => {
    const zoo = join(ROOT, 'scenarios/zoo');
    const differing: string[] = [];
    for (const entry of readdirSync(zoo)) {
      const file = join(zoo, entry, 'es-index.json');
      if (!existsSync(file)) continue;
      const reading = indexReadingOf((JSON.parse(readFileSync(file, 'utf8')) as { mappings: unknown }).mappings);
      if ((await classOf(row, docOf(row)._source, reading)) !== 'equal') differing.push(entry);
    }
    expect(differing).toEqual(['malformed-document']);
  });
});
