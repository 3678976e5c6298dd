import { describe, expect, it } from 'vitest';
import { docOf, HistoryRecorder, product } from '../../test/fixtures/checker.ts';
import type { ProductRow } from '../record/history.ts';
import { indexReadingOf } from '../check/mapping.ts';
import { RegressionWatch } from './regression-watch.ts';

function watching(): { w: RegressionWatch; h: HistoryRecorder } {
  const w = new RegressionWatch({ watchEvery: 1 });
  return { w, h: new HistoryRecorder() };
}

const src = (r: ProductRow) => docOf(r)._source;

describe('RegressionWatch: what search users saw on the way', () => {
  it('a newer price, then the older one again, is a regression (upsert reordering), reported once', () => {
    const { w, h } = watching();
    const v1 = product(1);
    const v2 = product(1, { price: '25.00' });
    w.track(h.insert(v1));
    w.track(h.update(v2));
    expect(w.observe(new Map([[1, src(v1)]]), [1], 10)).toEqual([]);
    expect(w.observe(new Map([[1, src(v2)]]), [1], 20)).toEqual([]);
    const r = w.observe(new Map([[1, src(v1)]]), [1], 30);
    expect(r).toEqual([
      {
        t: 30,
        kind: 'regression',
        product_id: 1,
        from: { version: 2, seq: 1, t: 20 },
        to: { version: 1, seq: 0, t: 30 },
      },
    ]);
    expect(w.observe(new Map([[1, src(v1)]]), [1], 40)).toEqual([]);
  });

  it('versions seen in order, or skipped, are not regressions', () => {
    const { w, h } = watching();
    const v = [product(1), product(1, { name: 'b' }), product(1, { name: 'c' })];
    w.track(h.insert(v[0]!));
    w.track(h.update(v[1]!));
    w.track(h.update(v[2]!));
    expect(w.observe(new Map(), [1], 1)).toEqual([]); // not indexed yet
    expect(w.observe(new Map([[1, src(v[0]!)]]), [1], 2)).toEqual([]);
    expect(w.observe(new Map([[1, src(v[2]!)]]), [1], 3)).toEqual([]);
  });

  it('content that went A → B → A is read charitably: A after B is the newer A', () => {
    const { w, h } = watching();
    const a = product(1);
    const b = product(1, { name: 'b' });
    w.track(h.insert(a));
    w.track(h.update(b));
    w.track(h.update(a));
    for (const [t, r] of [
      [1, a],
      [2, b],
      [3, a],
    ] as const)
      expect(w.observe(new Map([[1, src(r)]]), [1], t)).toEqual([]);
  });

  it('a document that vanishes without a delete, or comes back after one, is a regression', () => {
    const { w, h } = watching();
    const v1 = product(1);
    w.track(h.insert(v1));
    w.observe(new Map([[1, src(v1)]]), [1], 1);
    expect(w.observe(new Map(), [1], 2)[0]).toMatchObject({ product_id: 1, to: { version: 0 } });

    const z = watching();
    const v = product(2);
    z.w.track(z.h.insert(v));
    z.w.track(z.h.delete(2));
    z.w.observe(new Map([[2, src(v)]]), [2], 1);
    expect(z.w.observe(new Map(), [2], 2)).toEqual([]); // the delete shows
    expect(z.w.observe(new Map([[2, src(v)]]), [2], 3)[0]).toMatchObject({
      product_id: 2,
      from: { version: 2 },
      to: { version: 1 },
    }); // a zombie flash
  });

  it('no document before the first indexing is "before the first version", even when a delete is already recorded', () => {
    const { w, h } = watching();
    const v1 = product(1);
    w.track(h.insert(v1));
    w.track(h.update(product(1, { name: 'b' })));
    w.track(h.delete(1));
    expect(w.observe(new Map(), [1], 1)).toEqual([]); // not indexed yet
    expect(w.observe(new Map([[1, src(v1)]]), [1], 2)).toEqual([]);
    expect(w.observe(new Map(), [1], 3)).toEqual([]); // now the delete
  });

  it('watches 1 in N products (by product_id) up to a cap, ignores failed and unknown ops and unknown content', () => {
    const w = new RegressionWatch({ watchEvery: 2, maxWatched: 2 });
    const h = new HistoryRecorder();
    for (let i = 1; i <= 8; i++) w.track(h.insert(product(i)));
    expect(w.ids()).toEqual([2, 6]);
    w.track(h.update(product(2, { name: 'failed' }), 'failed'));
    w.track(h.update(product(2, { name: 'unknown' }), 'unknown'));
    expect(w.observe(new Map([[2, src(product(2, { name: 'unknown' }))]]), [2], 1)).toEqual([]);
    // 7 was chosen too, but the watch was full: it and the 5 not chosen are counted as unwatched.
    expect(w.coverage()).toEqual({ products: 2, unwatched: 6, polls: 1, reads: 1, exhaustive: false });
  });
});

describe('RegressionWatch: coverage, seeding, the mapping, the exhaustive mode', () => {
  it('says how many searches it attempted and how many succeeded', () => {
    const { w, h } = watching();
    w.track(h.insert(product(1)));
    w.failedPoll();
    w.failedPoll();
    expect(w.coverage()).toMatchObject({ products: 1, polls: 2, reads: 0 });
    w.observe(new Map(), [1], 1);
    expect(w.coverage()).toMatchObject({ polls: 3, reads: 1 });
  });

  it('knows every version of a watched product from its first operation: an older one shown later regresses', () => {
    // 1 is not chosen (1 in 2 by product_id); 2 is, at its insert, so its first version is known.
    const w = new RegressionWatch({ watchEvery: 2 });
    const h = new HistoryRecorder();
    const v1 = product(2);
    const v2 = product(2, { price: '25.00' });
    w.track(h.insert(product(1)));
    w.track(h.insert(v1));
    w.track(h.update(v2));
    expect(w.ids()).toEqual([2]);
    expect(w.observe(new Map([[2, src(v2)]]), [2], 10)).toEqual([]);
    expect(w.observe(new Map([[2, src(v1)]]), [2], 20)).toMatchObject([
      { product_id: 2, from: { version: 2 }, to: { version: 1 } },
    ]);
  });

  it("reads documents through the index's mapping, as the checker does", () => {
    const { w, h } = watching();
    const v1 = product(1, { created_at: Date.UTC(2024, 0, 1) });
    const v2 = product(1, { created_at: Date.UTC(2024, 0, 1), price: '25.00' });
    w.track(h.insert(v1));
    w.track(h.update(v2));
    w.setReading(indexReadingOf({ properties: { created_at: { type: 'date', format: 'epoch_second' } } }));
    const inSeconds = (r: ProductRow) => ({ ...src(r), created_at: r.created_at! / 1000 });
    expect(w.observe(new Map([[1, inSeconds(v2)]]), [1], 10)).toEqual([]);
    expect(w.observe(new Map([[1, inSeconds(v1)]]), [1], 20)).toHaveLength(1);
  });

  it('exhaustive: every product, no cap', () => {
    const w = new RegressionWatch({ exhaustive: true, watchEvery: 10, maxWatched: 5 });
    const h = new HistoryRecorder();
    for (let i = 1; i <= 80; i++) w.track(h.insert(product(i)));
    expect(w.ids()).toHaveLength(80);
    expect(w.coverage()).toMatchObject({ products: 80, unwatched: 0, exhaustive: true });
  });
});
