import { describe, expect, it } from 'vitest';
import { docOf, HistoryRecorder, product } from '../../test/fixtures/checker.ts';
import { ANOMALY_CLASSES, type AnomalyClass, type Comparison, type EsDoc } from '../record/anomalies.ts';
import type { ProductRow } from '../record/history.ts';
import { compare } from './compare.ts';
import { buildVersions } from './versions.ts';

const PLACEHOLDER = '__debezium_unavailable_value';

function check(h: HistoryRecorder, pg: ProductRow[], es: EsDoc[], maxExamples?: number): Promise<Comparison> {
  return compare({ versions: buildVersions(h.entries), pg, es, ...(maxExamples === undefined ? {} : { maxExamples }) });
}

/** Exactly these product_ids in `cls`, nothing in any other class. */
function expectOnly(c: Comparison, cls: AnomalyClass, productIds: number[]): void {
  for (const other of ANOMALY_CLASSES) {
    expect(c.counts[other], `count of ${other}`).toBe(other === cls ? productIds.length : 0);
  }
  expect(c.examples[cls].map((a) => a.product_id)).toEqual(productIds);
  expect(c.examples[cls].every((a) => a.class === cls)).toBe(true);
  expect(c.equal).toBe(false);
}

/** Three products, each inserted; product 2 also updated once. */
function baseline(): { h: HistoryRecorder; rows: ProductRow[]; v1: ProductRow } {
  const h = new HistoryRecorder();
  const v1 = product(2);
  const rows = [product(1), product(2, { price: '25.00', description: 'new' }), product(3)];
  h.insert(rows[0]!);
  h.insert(v1);
  h.insert(rows[2]!);
  h.update(rows[1]!);
  return { h, rows, v1 };
}

describe('compare', () => {
  it('finds equal states equal, whatever the document encoding', async () => {
    const { h, rows } = baseline();
    const es = [
      docOf(rows[0]!),
      docOf(rows[1]!, { price: 'number', createdAt: 'ms-fraction' }),
      docOf(rows[2]!, { price: 'short-string', createdAt: 'iso', productId: 'string' }),
    ];
    const c = await check(h, rows, es);
    expect(c.equal).toBe(true);
    expect(c.pgRows).toBe(3);
    expect(c.esDocs).toBe(3);
    for (const cls of ANOMALY_CLASSES) expect(c.counts[cls]).toBe(0);
  });

  it('finds two empty stores equal', async () => {
    const c = await check(new HistoryRecorder(), [], []);
    expect(c).toMatchObject({ equal: true, pgRows: 0, esDocs: 0 });
  });

  it('missing: a row without a document', async () => {
    const { h, rows } = baseline();
    const c = await check(h, rows, [docOf(rows[0]!), docOf(rows[2]!)]);
    expectOnly(c, 'missing', [2]);
    expect(c.examples.missing[0]).toMatchObject({ pg: rows[1], es: [] });
    expect(c.examples.missing[0]!.detail).toContain('version 2 of 2');
  });

  it('missing: at both ends of the key range', async () => {
    const { h, rows } = baseline();
    const c = await check(h, rows, [docOf(rows[1]!)]);
    expectOnly(c, 'missing', [1, 3]);
  });

  it('zombie: a document of a deleted row, even when it equals a version from before the delete', async () => {
    const { h, rows } = baseline();
    const deleted = h.delete(3);
    const c = await check(h, rows.slice(0, 2), rows.map((r) => docOf(r)));
    expectOnly(c, 'zombie', [3]);
    expect(c.examples.zombie[0]).toMatchObject({ pg: null, es: [docOf(rows[2]!)] });
    expect(c.examples.zombie[0]!.detail).toContain(`deleted at op #${deleted.seq}`);
    expect(c.examples.zombie[0]!.detail).toContain('version 1 of 2');
  });

  it('zombie: a document for a product_id the history never wrote', async () => {
    const { h, rows } = baseline();
    const c = await check(h, rows, [...rows.map((r) => docOf(r)), docOf(product(99))]);
    expectOnly(c, 'zombie', [99]);
    expect(c.examples.zombie[0]!.detail).toContain('never wrote');
  });

  it('duplicate: two documents for one product_id, reported once with both', async () => {
    const { h, rows, v1 } = baseline();
    const extra = docOf(v1, { id: 'products+0+17' });
    const es = [docOf(rows[0]!), docOf(rows[1]!), extra, docOf(rows[2]!)];
    const c = await check(h, rows, es);
    expectOnly(c, 'duplicate', [2]);
    expect(c.examples.duplicate[0]!.es.map((d) => d._id)).toEqual(['2', 'products+0+17']);
    expect(c.examples.duplicate[0]!.detail).toMatch(/_id 2 equals the row.*_id products\+0\+17 equals version 1 of 2/);
    expect(c.esDocs).toBe(4);
  });

  it('duplicate: also when the row is gone (counted once, as duplicate)', async () => {
    const { h, rows } = baseline();
    h.delete(1);
    const c = await check(h, rows.slice(1), [docOf(rows[0]!), docOf(rows[0]!, { id: 'a' }), docOf(rows[1]!), docOf(rows[2]!)]);
    expectOnly(c, 'duplicate', [1]);
    expect(c.examples.duplicate[0]!.detail).toContain('deleted at op #4');
  });

  it('stale: the document equals an older committed version', async () => {
    const { h, rows, v1 } = baseline();
    const c = await check(h, rows, [docOf(rows[0]!), docOf(v1), docOf(rows[2]!)]);
    expectOnly(c, 'stale', [2]);
    expect(c.examples.stale[0]).toMatchObject({ pg: rows[1], es: [docOf(v1)] });
    expect(c.examples.stale[0]!.detail).toMatch(/equals version 1 of 2 \(op #1\).*row is version 2 of 2/);
  });

  it('stale: an older version in another encoding is still that version', async () => {
    const { h, rows, v1 } = baseline();
    const c = await check(h, rows, [docOf(rows[0]!), docOf(v1, { price: 'number', createdAt: 'ms-fraction' }), docOf(rows[2]!)]);
    expectOnly(c, 'stale', [2]);
  });

  it('corrupt: the unchanged-TOAST placeholder', async () => {
    const { h, rows } = baseline();
    const mangled = docOf({ ...rows[1]!, description: PLACEHOLDER });
    const c = await check(h, rows, [docOf(rows[0]!), mangled, docOf(rows[2]!)]);
    expectOnly(c, 'corrupt', [2]);
    expect(c.examples.corrupt[0]!.detail).toContain('differs from the row in description');
  });

  it('corrupt: a precise-mode base64 price', async () => {
    const { h, rows } = baseline();
    const c = await check(h, rows, [docOf(rows[0]!), docOf(rows[1]!), docOf(rows[2]!, { price: 'base64' })]);
    expectOnly(c, 'corrupt', [3]);
    expect(c.examples.corrupt[0]!.detail).toContain('price "B88="');
  });

  it('corrupt: text mangled by a re-encoding (NFD, replacement characters)', async () => {
    const h = new HistoryRecorder();
    const rows = [product(1, { name: 'Café 👟' }), product(2, { name: 'Café 👟' })];
    rows.forEach((r) => h.insert(r));
    const es = [docOf({ ...rows[0]!, name: 'Cafe\u0301 👟' }), docOf({ ...rows[1]!, name: 'Caf\ufffd \ufffd' })];
    expectOnly(await check(h, rows, es), 'corrupt', [1, 2]);
  });

  it('corrupt: the state of a failed op, which never committed', async () => {
    const { h, rows } = baseline();
    const rejected = product(3, { price: '0.01' });
    h.update(rejected, 'failed');
    expectOnly(await check(h, rows, [docOf(rows[0]!), docOf(rows[1]!), docOf(rejected)]), 'corrupt', [3]);
  });

  it('corrupt: a document without a usable product_id, filed under its _id', async () => {
    const { h, rows } = baseline();
    const orphan: EsDoc = { _id: '42', _source: { name: 'no id' } };
    const c = await check(h, rows, [orphan, ...rows.map((r) => docOf(r))]);
    expectOnly(c, 'corrupt', [42]);
    expect(c.esDocs).toBe(4);
  });

  describe('ops with an unknown outcome are acceptable but not required', () => {
    function history(): { h: HistoryRecorder; before: ProductRow; after: ProductRow; ghost: ProductRow } {
      const h = new HistoryRecorder();
      const before = product(1);
      const after = product(1, { name: 'renamed' });
      const ghost = product(2);
      h.insert(before);
      h.update(after, 'unknown');
      h.insert(ghost, 'unknown');
      return { h, before, after, ghost };
    }

    it('it did not commit, and neither store shows it: equal', async () => {
      const { h, before } = history();
      expect((await check(h, [before], [docOf(before)])).equal).toBe(true);
    });

    it('it committed, and both stores show it: equal', async () => {
      const { h, after, ghost } = history();
      expect((await check(h, [after, ghost], [docOf(after), docOf(ghost)])).equal).toBe(true);
    });

    it('it committed, but the document still shows the version before it: stale', async () => {
      const { h, before, after } = history();
      expectOnly(await check(h, [after], [docOf(before)]), 'stale', [1]);
    });

    it('the document shows it though Postgres shows it never committed: corrupt, not stale (stale is an older committed version)', async () => {
      const { h, before, after } = history();
      const c = await check(h, [before], [docOf(after)]);
      expectOnly(c, 'corrupt', [1]);
      expect(c.examples.corrupt[0]!.detail).toMatch(/outcome unknown\), which Postgres shows never committed/);
    });

    it('an unknown-outcome version older than the row may have committed and been overwritten: stale', async () => {
      const h = new HistoryRecorder();
      const v1 = product(1);
      const v2 = product(1, { name: 'maybe' });
      const v3 = product(1, { name: 'surely' });
      h.insert(v1);
      h.update(v2, 'unknown');
      h.update(v3);
      expectOnly(await check(h, [v3], [docOf(v2)]), 'stale', [1]);
    });
  });

  describe('a product deleted and then reinserted', () => {
    function history(): { h: HistoryRecorder; first: ProductRow; second: ProductRow } {
      const h = new HistoryRecorder();
      const first = product(5);
      const second = product(5, { name: 'second life', price: '1.00' });
      h.insert(first);
      h.delete(5);
      h.reinsert(second);
      return { h, first, second };
    }

    it('equal when the document is the reinserted row', async () => {
      const { h, second } = history();
      expect((await check(h, [second], [docOf(second)])).equal).toBe(true);
    });

    it('stale when the document is the row from before the delete', async () => {
      const { h, first, second } = history();
      const c = await check(h, [second], [docOf(first)]);
      expectOnly(c, 'stale', [5]);
      expect(c.examples.stale[0]!.detail).toContain('version 1 of 3');
    });

    it('missing when the reinsert never arrived', async () => {
      const { h, second } = history();
      expectOnly(await check(h, [second], []), 'missing', [5]);
    });
  });

  it('merges async iterables, and several classes at once', async () => {
    const { h, rows, v1 } = baseline();
    h.delete(3);
    const pgRows = [rows[0]!, rows[1]!, product(4)];
    h.insert(pgRows[2]!);
    async function* stream<T>(items: T[]): AsyncGenerator<T> {
      for (const item of items) {
        await new Promise((resolve) => setImmediate(resolve));
        yield item;
      }
    }
    const es = [docOf(v1), docOf(rows[2]!)];
    const c = await compare({ versions: buildVersions(h.entries), pg: stream(pgRows), es: stream(es) });
    expect(c.counts).toEqual({ missing: 2, zombie: 1, stale: 1, corrupt: 0, duplicate: 0, 'wrong-id': 0 });
    expect(c.examples.missing.map((a) => a.product_id)).toEqual([1, 4]);
    expect(c.examples.stale.map((a) => a.product_id)).toEqual([2]);
    expect(c.examples.zombie.map((a) => a.product_id)).toEqual([3]);
    expect(c).toMatchObject({ pgRows: 3, esDocs: 2, equal: false });
  });

  it('rejects unsorted input instead of misclassifying it, and closes both streams', async () => {
    const { h, rows } = baseline();
    const closed: string[] = [];
    function* stream<T>(name: string, items: T[]): Generator<T> {
      try {
        yield* items;
      } finally {
        closed.push(name);
      }
    }
    const reversed = [docOf(rows[2]!), docOf(rows[0]!)];
    await expect(
      compare({ versions: buildVersions(h.entries), pg: stream('pg', rows), es: stream('es', reversed) }),
    ).rejects.toThrow(/out of order: product_id 1 .* after 3/);
    expect(closed.sort()).toEqual(['es', 'pg']);
    await expect(
      compare({ versions: buildVersions(h.entries), pg: [rows[1]!, rows[0]!], es: [] }),
    ).rejects.toThrow(/Postgres rows out of order/);
  });

  it('keeps at most maxExamples examples per class but counts everything', async () => {
    const h = new HistoryRecorder();
    const rows = Array.from({ length: 50 }, (_, i) => product(i + 1));
    rows.forEach((r) => h.insert(r));
    const c = await check(h, rows, [], 3);
    expect(c.counts.missing).toBe(50);
    expect(c.examples.missing.map((a) => a.product_id)).toEqual([1, 2, 3]);
    const d = await check(h, rows, []);
    expect(d.examples.missing).toHaveLength(10);
  });

  describe('every compared field, differing alone, is caught', () => {
    const row = product(1);
    const cases: [string, Partial<ProductRow>][] = [
      ['name', { name: 'Product 1 (edited)' }],
      ['description', { description: 'another text' }],
      ['description', { description: null }],
      ['price', { price: '19.98' }],
      ['created_at', { created_at: row.created_at! + 1 }],
      ['created_at', { created_at: null }],
    ];
    for (const [field, change] of cases) {
      it(`${field} → ${JSON.stringify(change[field as keyof ProductRow])}: corrupt, naming ${field}`, async () => {
        const h = new HistoryRecorder();
        h.insert(row);
        const c = await check(h, [row], [docOf({ ...row, ...change })]);
        expectOnly(c, 'corrupt', [1]);
        expect(c.examples.corrupt[0]!.detail).toMatch(new RegExp(`differs from the row in ${field} `));
      });
    }

    it('a created_at in microseconds (time.precision.mode=adaptive) is corrupt, with both numbers in the detail', async () => {
      const h = new HistoryRecorder();
      h.insert(row);
      const c = await check(h, [row], [docOf(row, { createdAt: 'micros' })]);
      expectOnly(c, 'corrupt', [1]);
      expect(c.examples.corrupt[0]!.detail).toContain(`created_at ${row.created_at! * 1000 + 456} ≠ ${row.created_at}`);
    });
  });

  describe('wrong-id: a document whose _id is not its product_id', () => {
    it('key.ignore=true writes topic+partition+offset: each such document is wrong-id, even when its content is right', async () => {
      const { h, rows } = baseline();
      const c = await check(h, rows, rows.map((r, i) => docOf(r, { id: `outbox.public.products+0+${i}` })));
      expectOnly(c, 'wrong-id', [1, 2, 3]);
      expect(c.examples['wrong-id'][0]!.detail).toMatch(/_id "outbox\.public\.products\+0\+0" is not the product_id 1/);
    });

    it('two products with swapped _ids are both wrong-id', async () => {
      const { h, rows } = baseline();
      const c = await check(h, rows, [docOf(rows[0]!, { id: '2' }), docOf(rows[1]!, { id: '1' }), docOf(rows[2]!)]);
      expectOnly(c, 'wrong-id', [1, 2]);
    });

    it('a key the sink wrote as JSON ({"product_id":1}) is wrong-id', async () => {
      const { h, rows } = baseline();
      const c = await check(h, rows, [docOf(rows[0]!, { id: '{"product_id":1}' }), docOf(rows[1]!), docOf(rows[2]!)]);
      expectOnly(c, 'wrong-id', [1]);
    });
  });

  describe('Postgres against the history: setup errors, never a pass', () => {
    it('empty stores after committed inserts: equal stores, but one setup error per product that must exist', async () => {
      const { h } = baseline();
      const c = await check(h, [], []);
      expect(c.equal).toBe(true);
      expect(c.setupErrors.count).toBe(3);
      expect(c.setupErrors.examples[0]).toEqual({ product_id: 1, detail: expect.stringMatching(/Postgres has no row, but the history's last committed state is version 1 of 1/) });
    });

    it('a row the history deleted is still in Postgres', async () => {
      const h = new HistoryRecorder();
      const row = product(4);
      h.insert(row);
      h.delete(4);
      const c = await check(h, [row], [docOf(row)]);
      expect(c.setupErrors.count).toBe(1);
      expect(c.setupErrors.examples[0]!.detail).toMatch(/which a later committed operation replaced; the history's last committed state is a delete/);
    });

    it('a row in a state the history never wrote (another writer)', async () => {
      const h = new HistoryRecorder();
      h.insert(product(4));
      const other = product(4, { name: 'written by someone else' });
      const c = await check(h, [other], [docOf(other)]);
      expect(c.setupErrors.count).toBe(1);
      expect(c.setupErrors.examples[0]!.detail).toMatch(/Postgres holds no version the history wrote/);
    });

    it('unknown outcomes allow either state, and a committed unknown insert carries the server\'s created_at', async () => {
      const h = new HistoryRecorder();
      const intended = product(6, { created_at: null });
      h.insert(intended, 'unknown');
      h.insert(product(7));
      h.delete(7, 'unknown');
      const committed = { ...intended, created_at: 1_700_000_123_456 };
      expect((await check(h, [committed], [docOf(committed)])).setupErrors.count).toBe(0);
      expect((await check(h, [], [])).setupErrors.count).toBe(0);
    });

    it('rows the history never wrote (preloaded, from before the run) are not errors', async () => {
      const c = await check(new HistoryRecorder(), [product(900)], [docOf(product(900))]);
      expect(c).toMatchObject({ equal: true, setupErrors: { count: 0 } });
    });
  });
});
