import { DEFAULT_INDEX_READING, indexReadingOf } from './mapping.ts';
import { dateReadingOf } from './timestamps.ts';
import { describe, expect, it } from 'vitest';
import { docOf, HistoryRecorder, product } from '../../test/fixtures/checker.ts';
import type { Row, TableModel } from '../model/table.ts';
import { ANOMALY_CLASSES, type AnomalyClass, type Comparison, type EsDoc } from '../record/anomalies.ts';
import type { HistoryEntry, ProductRow } from '../record/history.ts';
import { compare } from './compare.ts';
import { buildVersions } from './versions.ts';
import { column as col, tableModel as model } from '../../test/fixtures/tables.ts';

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
    const c = await check(
      h,
      rows.slice(0, 2),
      rows.map((r) => docOf(r)),
    );
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
    const c = await check(h, rows.slice(1), [
      docOf(rows[0]!),
      docOf(rows[0]!, { id: 'a' }),
      docOf(rows[1]!),
      docOf(rows[2]!),
    ]);
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
    const c = await check(h, rows, [
      docOf(rows[0]!),
      docOf(v1, { price: 'number', createdAt: 'ms-fraction' }),
      docOf(rows[2]!),
    ]);
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

    it(
      'the document shows it though Postgres shows it never committed: ' +
        'corrupt, not stale (stale is an older committed version)',
      async () => {
        const { h, before, after } = history();
        const c = await check(h, [before], [docOf(after)]);
        expectOnly(c, 'corrupt', [1]);
        expect(c.examples.corrupt[0]!.detail).toMatch(/outcome unknown\), which Postgres shows never committed/);
      },
    );

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
    expect(c.counts).toEqual({
      missing: 2,
      zombie: 1,
      stale: 1,
      corrupt: 0,
      duplicate: 0,
      'wrong-id': 0,
      'unexpected-field': 0,
    });
    expect(c.examples.missing.map((a) => a.product_id)).toEqual([1, 4]);
    expect(c.examples.stale.map((a) => a.product_id)).toEqual([2]);
    expect(c.examples.zombie.map((a) => a.product_id)).toEqual([3]);
    expect(c).toMatchObject({ pgRows: 3, esDocs: 2, equal: false });
  });

  it('joins keys of 0 and below like any other, the first document included', async () => {
    const h = new HistoryRecorder();
    const rows = [product(-2), product(0), product(3)];
    for (const r of rows) h.insert(r);
    const equal = await check(
      h,
      rows,
      rows.map((r) => docOf(r)),
    );
    expect(equal).toMatchObject({ equal: true, pgRows: 3, esDocs: 3 });
    const c = await check(h, rows, [docOf(rows[1]!), docOf(rows[2]!)]);
    expectOnly(c, 'missing', [-2]);
  });

  it("compares the items a stream yields, never a generator's return value", async () => {
    const { h, rows } = baseline();
    function* returning(items: ProductRow[], last: ProductRow): Generator<ProductRow, ProductRow> {
      yield* items;
      return last;
    }
    const empty = await compare({ versions: buildVersions([]), pg: returning([], product(5)), es: [] });
    expect(empty).toMatchObject({ equal: true, pgRows: 0 });
    const es = rows.map((r) => docOf(r));
    const c = await compare({ versions: buildVersions(h.entries), pg: returning(rows, product(5)), es });
    expect(c).toMatchObject({ equal: true, pgRows: 3 });
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
    await expect(compare({ versions: buildVersions(h.entries), pg: [rows[1]!, rows[0]!], es: [] })).rejects.toThrow(
      /Postgres rows out of order/,
    );
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

    it(
      'a created_at in microseconds (time.precision.mode=adaptive) ' + 'is corrupt, with both numbers in the detail',
      async () => {
        const h = new HistoryRecorder();
        h.insert(row);
        const c = await check(h, [row], [docOf(row, { createdAt: 'micros' })]);
        expectOnly(c, 'corrupt', [1]);
        expect(c.examples.corrupt[0]!.detail).toContain(
          `created_at ${row.created_at! * 1000 + 456} ≠ ${row.created_at}`,
        );
      },
    );
  });

  describe('wrong-id: a document whose _id is not its product_id', () => {
    it(
      'key.ignore=true writes topic+partition+offset: each such ' +
        'document is wrong-id, even when its content is right',
      async () => {
        const { h, rows } = baseline();
        const c = await check(
          h,
          rows,
          rows.map((r, i) => docOf(r, { id: `outbox.public.products+0+${i}` })),
        );
        expectOnly(c, 'wrong-id', [1, 2, 3]);
        expect(c.examples['wrong-id'][0]!.detail).toMatch(
          /_id "outbox\.public\.products\+0\+0" is not the product_id 1/,
        );
      },
    );

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
    it(
      'empty stores after committed inserts: equal stores, ' + 'but one setup error per product that must exist',
      async () => {
        const { h } = baseline();
        const c = await check(h, [], []);
        expect(c.equal).toBe(true);
        expect(c.setupErrors.count).toBe(3);
        expect(c.setupErrors.examples[0]).toEqual({
          product_id: 1,
          detail: expect.stringMatching(
            /Postgres has no row, but the history's last committed state is version 1 of 1/,
          ),
        });
      },
    );

    it('a row the history deleted is still in Postgres', async () => {
      const h = new HistoryRecorder();
      const row = product(4);
      h.insert(row);
      h.delete(4);
      const c = await check(h, [row], [docOf(row)]);
      expect(c.setupErrors.count).toBe(1);
      expect(c.setupErrors.examples[0]!.detail).toMatch(
        /which a later committed operation replaced; the history's last committed state is a delete/,
      );
    });

    it('a row in a state the history never wrote (another writer)', async () => {
      const h = new HistoryRecorder();
      h.insert(product(4));
      const other = product(4, { name: 'written by someone else' });
      const c = await check(h, [other], [docOf(other)]);
      expect(c.setupErrors.count).toBe(1);
      expect(c.setupErrors.examples[0]!.detail).toMatch(/Postgres holds no version the history wrote/);
    });

    it(
      'unknown outcomes allow either state, and a committed ' + "unknown insert carries the server's created_at",
      async () => {
        const h = new HistoryRecorder();
        const intended = product(6, { created_at: null });
        h.insert(intended, 'unknown');
        h.insert(product(7));
        h.delete(7, 'unknown');
        const committed = { ...intended, created_at: 1_700_000_123_456 };
        expect((await check(h, [committed], [docOf(committed)])).setupErrors.count).toBe(0);
        expect((await check(h, [], [])).setupErrors.count).toBe(0);
      },
    );

    it('rows the history never wrote (preloaded, from before the run) are not errors', async () => {
      const c = await check(new HistoryRecorder(), [product(900)], [docOf(product(900))]);
      expect(c).toMatchObject({ equal: true, setupErrors: { count: 0 } });
    });
  });
});

describe('compare: what each anomaly says about itself', () => {
  it('corrupt without a usable product_id: the whole document, and the reason, under its _id or -1', async () => {
    const { h, rows } = baseline();
    const orphan: EsDoc = { _id: '42', _source: { name: 'no id' } };
    const keyed: EsDoc = { _id: 'products+0+7', _source: { product_id: 'seven', name: 'text id' } };
    const c = await check(h, rows, [orphan, keyed, ...rows.map((r) => docOf(r))]);
    expect(c.examples.corrupt).toEqual([
      {
        class: 'corrupt',
        product_id: 42,
        pg: null,
        es: [orphan],
        detail: 'product_id undefined is not an integer (_id 42)',
      },
      {
        class: 'corrupt',
        product_id: -1,
        pg: null,
        es: [keyed],
        detail: 'product_id "seven" is not an integer (_id products+0+7)',
      },
    ]);
  });

  it('corrupt: a field that cannot be read names the field, its value and why', async () => {
    const { h, rows } = baseline();
    const c = await check(h, rows, [docOf(rows[0]!), docOf(rows[1]!), docOf(rows[2]!, { price: 'base64' })]);
    expect(c.examples.corrupt[0]!.detail).toBe('price "B88=" is not a decimal with at most 2 fraction digits');
  });

  it('corrupt: the detail counts the versions and shows each differing field, document value first', async () => {
    const { h, rows } = baseline();
    const doc = docOf({ ...rows[1]!, name: 'edited', price: '1.00' });
    const c = await check(h, rows, [docOf(rows[0]!), doc, docOf(rows[2]!)]);
    expectOnly(c, 'corrupt', [2]);
    expect(c.examples.corrupt[0]!.detail).toBe(
      'equals no committed version (2 versions in the history); differs ' +
        'from the row in name "edited" ≠ "Product 2", price "1.00" ≠ "25.00"',
    );
    const one = await check(h, rows, [docOf({ ...rows[0]!, name: 'x' }), docOf(rows[1]!), docOf(rows[2]!)]);
    expect(one.examples.corrupt[0]!.detail).toBe(
      'equals no committed version (1 version in the history); differs from the row in name "x" ≠ "Product 1"',
    );
  });

  it(
    'corrupt, never stale, for a row the history never ' + 'wrote: nothing committed can explain the document',
    async () => {
      const { h, rows } = baseline();
      const preloaded = product(900);
      const c = await check(
        h,
        [...rows, preloaded],
        [...rows.map((r) => docOf(r)), docOf({ ...preloaded, name: 'x' })],
      );
      expectOnly(c, 'corrupt', [900]);
      expect(c.examples.corrupt[0]!.detail).toBe(
        'equals no committed version (the history never wrote this ' +
          'product_id); differs from the row in name "x" ≠ "Product 900"',
      );
    },
  );

  it('cuts long values short in a detail, keeping the line readable', async () => {
    const h = new HistoryRecorder();
    const row = product(1);
    h.insert(row);
    const long = 'x'.repeat(100);
    const c = await check(h, [row], [docOf({ ...row, name: long })]);
    expect(c.examples.corrupt[0]!.detail).toContain(`name "${'x'.repeat(56)}... ≠ "Product 1"`);
    // 58 characters of text are 60 with their quotes: shown whole.
    const fits = 'y'.repeat(58);
    const d = await check(h, [row], [docOf({ ...row, name: fits })]);
    expect(d.examples.corrupt[0]!.detail).toContain(`name "${fits}" ≠`);
    const over = 'z'.repeat(59);
    const e = await check(h, [row], [docOf({ ...row, name: over })]);
    expect(e.examples.corrupt[0]!.detail).toContain(`name "${'z'.repeat(56)}... ≠`);
  });

  it('missing: the detail says which version the row is, or that it is none', async () => {
    const { h, rows } = baseline();
    const c = await check(h, rows, [docOf(rows[1]!)]);
    expect(c.examples.missing.map((a) => a.detail)).toEqual([
      'no document; the row is version 1 of 1 (op #0)',
      'no document; the row is version 1 of 1 (op #2)',
    ]);
    const preloaded = product(900);
    const d = await check(
      h,
      [...rows, preloaded],
      rows.map((r) => docOf(r)),
    );
    expect(d.examples.missing[0]!.detail).toBe(
      'no document; the row is not from the history (it never wrote this product_id; a row from before the workload?)',
    );
    const other = product(2, { name: 'another writer' });
    const e = await check(h, [rows[0]!, other, rows[2]!], [docOf(rows[0]!), docOf(rows[2]!)]);
    expect(e.examples.missing[0]!.detail).toBe(
      "no document; the row is none of the history's versions (2 versions in the history)",
    );
  });

  it('zombie: the detail says how the row went, and what the document equals', async () => {
    const h = new HistoryRecorder();
    const first = product(1);
    h.insert(first);
    h.delete(1);
    const c = await check(h, [], [docOf(first)]);
    expect(c.examples.zombie[0]!.detail).toBe(
      'no row in Postgres: deleted at op #1; the document equals version 1 of 2 (op #0)',
    );
    const d = await check(h, [], [docOf({ ...first, name: 'x' })]);
    expect(d.examples.zombie[0]!.detail).toBe(
      'no row in Postgres: deleted at op #1; the document equals no committed version',
    );
    const e = await check(h, [], [docOf(first, { price: 'base64' })]);
    expect(e.examples.zombie[0]!.detail).toBe(
      'no row in Postgres: deleted at op #1; the document equals nothing ' +
        '(price "B88=" is not a decimal with at most 2 fraction digits)',
    );
  });

  it('zombie after a delete of unknown outcome that did commit', async () => {
    const h = new HistoryRecorder();
    const row = product(1);
    h.insert(row);
    h.delete(1, 'unknown');
    const c = await check(h, [], [docOf(row)]);
    expectOnly(c, 'zombie', [1]);
    expect(c.examples.zombie[0]!.detail).toBe(
      'no row in Postgres: deleted at op #1 (outcome unknown); the document equals version 1 of 2 (op #0)',
    );
    expect(c.setupErrors.count).toBe(0);
  });

  it(
    'zombie of a product whose row Postgres lost: the ' + 'history never deleted it (and a setup error says so)',
    async () => {
      const h = new HistoryRecorder();
      const row = product(1);
      h.insert(row);
      const c = await check(h, [], [docOf(row)]);
      expectOnly(c, 'zombie', [1]);
      expect(c.examples.zombie[0]!.detail).toBe(
        "no row in Postgres, though the history's last state (version 1, " +
          'op #0) is not a delete; the document equals version 1 of 1 (op #0)',
      );
      expect(c.setupErrors.count).toBe(1);
    },
  );

  it('zombie for a product_id the history never wrote, between ones it did', async () => {
    const h = new HistoryRecorder();
    const rows = [product(1), product(10)];
    rows.forEach((r) => h.insert(r));
    const c = await check(h, rows, [docOf(rows[0]!), docOf(product(5)), docOf(rows[1]!)]);
    expectOnly(c, 'zombie', [5]);
    expect(c.examples.zombie[0]!.detail).toBe(
      'no row in Postgres, and the history never wrote this product_id; the document equals no committed version',
    );
  });

  it('a zombie that is the last document, before rows still to come, is described as what it is', async () => {
    const { h, rows } = baseline();
    const deleted = h.delete(3);
    const pg4 = product(4);
    const pg5 = product(5);
    h.insert(pg4);
    h.insert(pg5);
    const c = await check(h, [rows[0]!, rows[1]!, pg4, pg5], [docOf(rows[0]!), docOf(rows[1]!), docOf(rows[2]!)]);
    expect(c.counts).toMatchObject({ zombie: 1, missing: 2 });
    expect(c.examples.zombie[0]!.detail).toBe(
      `no row in Postgres: deleted at op #${deleted.seq}; the document equals version 1 of 2 (op #2)`,
    );
    expect(c.examples.missing.map((a) => a.product_id)).toEqual([4, 5]);
  });

  it('duplicate: the detail lists what each document equals, and why there is no row when there is none', async () => {
    const { h, rows, v1 } = baseline();
    const c = await check(h, rows, [
      docOf(rows[0]!),
      docOf(rows[1]!),
      docOf(v1, { id: 'products+0+17' }),
      docOf(rows[2]!),
    ]);
    expect(c.examples.duplicate[0]!.detail).toBe(
      '2 documents: _id 2 equals the row, _id products+0+17 equals version 1 of 2 (op #1)',
    );
    h.delete(1);
    const d = await check(h, rows.slice(1), [
      docOf(rows[0]!),
      docOf(rows[0]!, { price: 'base64', id: 'a' }),
      docOf(rows[1]!),
      docOf(rows[2]!),
    ]);
    expect(d.examples.duplicate[0]!.detail).toBe(
      '2 documents: _id 1 equals version 1 of 2 (op #0), _id a equals nothing (price "B88=" ' +
        'is not a decimal with at most 2 fraction digits); no row in Postgres: deleted at op #4',
    );
  });

  it('wrong-id: the detail quotes the _id and says what the document holds', async () => {
    const { h, rows } = baseline();
    const c = await check(h, rows, [docOf(rows[0]!, { id: 'k1' }), docOf(rows[1]!), docOf(rows[2]!)]);
    expect(c.examples['wrong-id'][0]!.detail).toBe(
      '_id "k1" is not the product_id 1: an update or delete ' +
        'addressed by key never reaches this document; it equals the row',
    );
  });

  it('stale: an older version at the very start of the history is still named', async () => {
    const h = new HistoryRecorder();
    const v1 = product(1);
    const v2 = product(1, { name: 'v2' });
    h.insert(v1);
    h.update(v2);
    const c = await check(h, [v2], [docOf(v1)]);
    expectOnly(c, 'stale', [1]);
    expect(c.examples.stale[0]!.detail).toBe('equals version 1 of 2 (op #0); the row is version 2 of 2 (op #1)');
  });

  it('an unknown-outcome version is called uncommitted only against a row the history wrote', async () => {
    const h = new HistoryRecorder();
    const v1 = product(1);
    const maybe = product(1, { name: 'maybe' });
    h.insert(v1);
    h.update(maybe, 'unknown');
    // Postgres holds something the history never wrote (another writer): nothing tells whether "maybe" committed.
    const other = product(1, { name: 'someone else' });
    const c = await check(h, [other], [docOf(maybe)]);
    expectOnly(c, 'stale', [1]);
    expect(c.setupErrors.count).toBe(1);
  });

  it('only an unknown outcome can have never committed: a committed version newer than the row is stale', async () => {
    const h = new HistoryRecorder();
    const v1 = product(1);
    const v2 = product(1, { name: 'v2' });
    h.insert(v1);
    h.update(v2);
    // Postgres went back to v1 behind the history's back: a setup error, and the document is a committed version.
    const c = await check(h, [v1], [docOf(v2)]);
    expectOnly(c, 'stale', [1]);
    expect(c.examples.stale[0]!.detail).toBe('equals version 2 of 2 (op #1); the row is version 1 of 2 (op #0)');
    expect(c.setupErrors.count).toBe(1);
  });

  it("versions of one product never explain another's document or row", async () => {
    // Products 1 and 2 with the same content: product 2's versions must not make product 1's document stale.
    const h = new HistoryRecorder();
    const same = { name: 'same', description: null, price: '1.00', created_at: 5 };
    const p1 = product(1, { name: 'one' });
    const p2 = product(2, same);
    const p2b = product(2, { ...same, name: 'same again' });
    h.insert(p1);
    h.insert(p2);
    h.update(p2b);
    const c = await check(h, [p1, p2b], [docOf(product(1, same)), docOf(p2b)]);
    expectOnly(c, 'corrupt', [1]);
    const d = await check(h, [p1, p2b], [docOf(product(1, { ...same, name: 'same again' })), docOf(p2b)]);
    expectOnly(d, 'corrupt', [1]);
    // Postgres holding product 2's content under product 1 is a setup error.
    const e = await check(h, [product(1, same), p2b], [docOf(product(1, same)), docOf(p2b)]);
    expect(e.setupErrors.count).toBe(1);
  });

  it("an unknown-outcome insert of the next product does not vouch for this product's row", async () => {
    const h = new HistoryRecorder();
    const content = { name: 'same', description: null, price: '1.00' };
    h.insert(product(1, { ...content, created_at: 7 }));
    h.insert(product(2, { ...content, created_at: null }), 'unknown');
    // Product 1 in Postgres with another created_at: its untimed form matches product 2's intended insert only.
    const c = await check(h, [product(1, { ...content, created_at: 8 })], []);
    expect(c.setupErrors.count).toBe(1);
    expect(c.setupErrors.examples[0]).toMatchObject({ product_id: 1 });
  });

  it("a delete of the next product does not excuse this product's missing row", async () => {
    const h = new HistoryRecorder();
    h.insert(product(1));
    h.delete(2);
    const c = await check(h, [], []);
    expect(c.setupErrors.examples.map((e) => e.product_id)).toEqual([1]);
  });

  it('reads created_at the way the index mapping does', async () => {
    const h = new HistoryRecorder();
    const row = product(1, { created_at: Date.UTC(2024, 0, 1) });
    h.insert(row);
    const seconds: EsDoc = { _id: '1', _source: { ...docOf(row)._source, created_at: Date.UTC(2024, 0, 1) / 1000 } };
    const asSeconds = await compare({
      versions: buildVersions(h.entries),
      pg: [row],
      es: [seconds],
      reading: {
        ...DEFAULT_INDEX_READING,
        columns: {
          ...DEFAULT_INDEX_READING.columns,
          created_at: dateReadingOf({ type: 'date', format: 'epoch_second' }),
        },
      },
    });
    expect(asSeconds.equal).toBe(true);
    const asDefault = await compare({ versions: buildVersions(h.entries), pg: [row], es: [seconds] });
    expectOnly(asDefault, 'corrupt', [1]);
  });
});

describe('compare: input it refuses', () => {
  it('a Postgres row without a numeric product_id', async () => {
    for (const product_id of [undefined, Number.NaN, -Infinity, Infinity]) {
      const row = { ...product(1), product_id } as unknown as ProductRow;
      await expect(compare({ versions: buildVersions([]), pg: [row], es: [] })).rejects.toThrow(
        /Postgres row without a product_id/,
      );
    }
  });

  it('two Postgres rows with one product_id', async () => {
    const { h, rows } = baseline();
    await expect(compare({ versions: buildVersions(h.entries), pg: [rows[0]!, rows[0]!], es: [] })).rejects.toThrow(
      'Postgres rows out of order: product_id 1 after 1',
    );
  });

  it('documents out of order, with a hint at the usual cause', async () => {
    const { h, rows } = baseline();
    await expect(
      compare({ versions: buildVersions(h.entries), pg: rows, es: [docOf(rows[1]!), docOf(rows[0]!)] }),
    ).rejects.toThrow(
      'Elasticsearch documents out of order: product_id 1 (_id 1) ' +
        'after 2; is product_id mapped as a keyword (sorted as text)?',
    );
  });

  it('closes async streams too when it throws', async () => {
    const { h, rows } = baseline();
    const closed: string[] = [];
    async function* stream<T>(name: string, items: T[]): AsyncGenerator<T> {
      try {
        for (const item of items) yield item;
      } finally {
        closed.push(name);
      }
    }
    await expect(
      compare({
        versions: buildVersions(h.entries),
        pg: stream('pg', rows),
        es: stream('es', [docOf(rows[2]!), docOf(rows[0]!)]),
      }),
    ).rejects.toThrow(/out of order/);
    expect(closed.sort()).toEqual(['es', 'pg']);
  });
});

describe('compare: Postgres against the history, case by case', () => {
  it('a product deleted and then reinserted must be in Postgres', async () => {
    const h = new HistoryRecorder();
    h.insert(product(5));
    h.delete(5);
    h.reinsert(product(5, { name: 'again' }));
    const c = await check(h, [], []);
    expect(c.setupErrors.examples).toEqual([
      {
        product_id: 5,
        detail: "Postgres has no row, but the history's last committed state is version 3 of 3 (op #2)",
      },
    ]);
  });

  it(
    'an unknown-outcome insert overwritten by a committed ' + 'update: Postgres showing the insert is a setup error',
    async () => {
      const h = new HistoryRecorder();
      const intended = product(6, { created_at: null });
      h.insert(intended, 'unknown');
      h.update(product(6, { name: 'updated' }));
      const c = await check(h, [{ ...intended, created_at: 1_700_000_123_456 }], []);
      expect(c.setupErrors.count).toBe(1);
      expect(c.setupErrors.examples[0]!.detail).toBe(
        "Postgres holds no version the history wrote; the history's last committed state is version 2 of 2 (op #1)",
      );
    },
  );

  it('an unknown-outcome update allows its state or the committed one, not any state', async () => {
    const h = new HistoryRecorder();
    h.insert(product(1));
    h.update(product(1, { name: 'maybe' }), 'unknown');
    const c = await check(h, [product(1, { name: 'neither' })], []);
    expect(c.setupErrors.count).toBe(1);
    expect((await check(h, [product(1, { name: 'maybe' })], [])).setupErrors.count).toBe(0);
    expect((await check(h, [product(1)], [])).setupErrors.count).toBe(0);
  });

  it('a committed insert without created_at is not excused by a created_at Postgres set', async () => {
    const h = new HistoryRecorder();
    h.insert(product(1, { created_at: null }));
    expect((await check(h, [product(1, { created_at: 1_700_000_123_456 })], [])).setupErrors.count).toBe(1);
  });

  it('only unknown outcomes: a row in another state names that there is no certain final state', async () => {
    const h = new HistoryRecorder();
    h.insert(product(6), 'unknown');
    const c = await check(h, [product(6, { name: 'other' })], []);
    expect(c.setupErrors.examples[0]!.detail).toBe(
      "Postgres holds no version the history wrote; the history's " +
        'last committed state is none (only unknown-outcome operations)',
    );
  });

  it("rows the history never wrote next to the workload's are not checked against its products", async () => {
    const h = new HistoryRecorder();
    h.insert(product(5));
    const c = await check(h, [product(3), product(5)], [docOf(product(3)), docOf(product(5))]);
    expect(c).toMatchObject({ equal: true, setupErrors: { count: 0 } });
    const wrong = await check(h, [product(3), product(5, { name: 'other' })], []);
    expect(wrong.setupErrors.examples.map((e) => e.product_id)).toEqual([5]);
  });

  it('keeps at most maxExamples setup errors but counts them all', async () => {
    const h = new HistoryRecorder();
    for (let i = 1; i <= 12; i++) h.insert(product(i));
    const c = await check(h, [], [], 3);
    expect(c.setupErrors.count).toBe(12);
    expect(c.setupErrors.examples.map((e) => e.product_id)).toEqual([1, 2, 3]);
    expect((await check(h, [], [])).setupErrors.examples).toHaveLength(10);
  });
});

describe('compare: a table other than products', () => {
  const events = model('events', ['id'], [col('id', { kind: 'int8' }, false), col('note', { kind: 'text' })]);
  const lines = model(
    'lines',
    ['order_id', 'region'],
    [col('order_id', { kind: 'int8' }, false), col('region', { kind: 'text' }, false), col('note', { kind: 'text' })],
  );
  const write = (seq: number, table: TableModel, key: string, after: Row): HistoryEntry<Row> => ({
    seq,
    kind: 'update',
    worker: 0,
    request: null,
    effects: [{ product_id: table === events ? Number(key) : -1, key, after }],
    sendMs: seq,
    ackMs: seq,
    outcome: 'ok',
  });

  it('refuses versions of one table with a reading of another, naming both', async () => {
    const eventsReading = indexReadingOf({ properties: {} }, [], events);
    await expect(compare({ versions: buildVersions([]), reading: eventsReading, pg: [], es: [] })).rejects.toThrow(
      'the versions are of products, the reading of events',
    );
    // No reading is a reading of products (every document would be read as a product).
    const eventsVersions = buildVersions([], events);
    await expect(compare({ versions: eventsVersions, pg: [], es: [] })).rejects.toThrow(
      'the versions are of events, the reading of products',
    );
    const linesReading = indexReadingOf({ properties: {} }, [], lines);
    await expect(compare({ versions: eventsVersions, reading: linesReading, pg: [], es: [] })).rejects.toThrow(
      'the versions are of events, the reading of lines',
    );
  });

  it('files an example under its key, and under product_id only for a one-integer key', async () => {
    const eventsRow = { id: 5, note: 'a' };
    const ev = await compare({
      versions: buildVersions([write(0, events, '5', eventsRow)], events),
      reading: indexReadingOf({ properties: {} }, [], events),
      pg: [eventsRow],
      es: [],
    });
    expect(ev.examples.missing.map((a) => [a.product_id, a.key])).toEqual([[5, '5']]);
    const linesRow = { order_id: 5, region: 'eu', note: 'a' };
    const ln = await compare({
      versions: buildVersions([write(0, lines, '[5,"eu"]', linesRow)], lines),
      reading: indexReadingOf({ properties: {} }, [], lines),
      pg: [linesRow],
      es: [],
    });
    expect(ln.examples.missing.map((a) => [a.product_id, a.key])).toEqual([[-1, '[5,"eu"]']]);
  });

  it('keeps the documents of each example, not those of the group read after it', async () => {
    const reading = indexReadingOf({ properties: {} }, [], events);
    const first = { _id: '1', _source: { id: 1, note: 'a' } };
    const second = { _id: '2', _source: { id: 2, note: 'b' } };
    const c = await compare({ versions: buildVersions([], events), reading, pg: [], es: [first, second] });
    expect(c.examples.zombie.map((a) => a.es)).toEqual([[first], [second]]);
  });

  it('corrupt: a document without a readable key, the key fields shown, under its _id', async () => {
    const reading = indexReadingOf({ properties: {} }, [], lines);
    const doc = { _id: 'x', _source: { order_id: 'seven', region: 'eu', note: null } };
    const c = await compare({ versions: buildVersions([], lines), reading, pg: [], es: [doc] });
    expect(c.counts.corrupt).toBe(1);
    expect(c.examples.corrupt).toEqual([
      {
        class: 'corrupt',
        product_id: -1,
        key: 'x',
        pg: null,
        es: [doc],
        detail: 'order_id "seven", region "eu": not a key of lines (_id x)',
      },
    ]);
  });
});
