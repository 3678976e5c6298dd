import { describe, expect, it } from 'vitest';
import type { HistoryEntry, ProductRow } from '../record/history.ts';
import { OpTracker } from './op-tracker.ts';

function row(id: number, name: string, price = '10.00'): ProductRow {
  return { product_id: id, name, description: null, price, created_at: 1 };
}

let nextSeq = 0;
function op(
  effects: { id: number; after: ProductRow | null }[],
  sendMs: number,
  ackMs: number,
  outcome: HistoryEntry['outcome'] = 'ok',
): HistoryEntry {
  return {
    seq: nextSeq++,
    kind: 'update',
    worker: 0,
    request: {},
    effects: effects.map((e) => ({ product_id: e.id, after: e.after })),
    sendMs,
    ackMs,
    outcome,
  };
}

const src = (r: ProductRow): Record<string, unknown> => ({
  product_id: r.product_id,
  name: r.name,
  description: r.description,
  price: r.price,
});

describe('OpTracker', () => {
  it('samples 1 in N ok ops and measures seenAt - ackMs once the doc shows the post-state', () => {
    const t = new OpTracker({ sampleEvery: 2 });
    t.track(op([{ id: 1, after: row(1, 'a') }], 0, 10)); // 1st: not sampled
    const e = op([{ id: 2, after: row(2, 'b') }], 20, 30); // 2nd: sampled
    t.track(e);
    expect(t.stats()).toMatchObject({ tracked: 1, pending: 1 });

    const s1 = t.beginSearch();
    expect(s1.ids).toEqual(['2']);
    expect(t.observe(s1, new Map(), 100)).toEqual([]); // not there yet
    const s2 = t.beginSearch();
    expect(t.observe(s2, new Map([['2', { ...src(row(2, 'b')), price: '10' }]]), 730)).toEqual([
      { t: 730, kind: 'op-lag', opSeq: e.seq, lagMs: 700 },
    ]);
    expect(t.stats()).toMatchObject({ seen: 1, pending: 0 });
    expect(t.beginSearch().ids).toEqual([]);
  });

  it('drops an op superseded by any later op on the same product, sampled or not', () => {
    const t = new OpTracker({ sampleEvery: 1 });
    t.track(op([{ id: 5, after: row(5, 'old') }], 0, 10));
    const s = t.beginSearch();
    t.observe(s, new Map(), 20);
    t.track(op([{ id: 5, after: row(5, 'new') }], 30, 40, 'unknown')); // not ok, may still have committed
    expect(t.stats()).toMatchObject({ tracked: 1, superseded: 1, pending: 0 });
    // The newer state showing up counts for nobody.
    expect(t.observe(t.beginSearch(), new Map([['5', src(row(5, 'new'))]]), 500)).toEqual([]);
  });

  it('calls an op ambiguous when the first look already shows its post-state', () => {
    const t = new OpTracker({ sampleEvery: 1 });
    t.track(op([{ id: 3, after: row(3, 'same') }], 0, 10)); // e.g. an update that changed nothing visible
    expect(t.observe(t.beginSearch(), new Map([['3', src(row(3, 'same'))]]), 50)).toEqual([]);
    expect(t.stats()).toMatchObject({ ambiguous: 1, pending: 0, seen: 0 });
  });

  it('measures a delete from a present document to an absent one', () => {
    const t = new OpTracker({ sampleEvery: 1 });
    const d = op([{ id: 9, after: null }], 0, 100);
    t.track(d);
    expect(t.observe(t.beginSearch(), new Map([['9', src(row(9, 'x'))]]), 150)).toEqual([]);
    expect(t.observe(t.beginSearch(), new Map(), 1100)).toEqual([
      { t: 1100, kind: 'op-lag', opSeq: d.seq, lagMs: 1000 },
    ]);
  });

  it('waits for every product of a multi-row op, the last effect per product counting', () => {
    const t = new OpTracker({ sampleEvery: 1 });
    const x = op(
      [
        { id: 1, after: row(1, 'first') },
        { id: 2, after: row(2, 'b') },
        { id: 1, after: row(1, 'final') },
      ],
      0,
      10,
    );
    t.track(x);
    expect(t.observe(t.beginSearch(), new Map(), 100)).toEqual([]);
    const half = new Map([['1', src(row(1, 'final'))]]);
    expect(t.observe(t.beginSearch(), half, 200)).toEqual([]);
    const both = new Map([...half, ['2', src(row(2, 'b'))]]);
    expect(t.observe(t.beginSearch(), both, 300)).toEqual([{ t: 300, kind: 'op-lag', opSeq: x.seq, lagMs: 290 }]);
  });

  it('ignores searches that began before the op was tracked', () => {
    const t = new OpTracker({ sampleEvery: 1 });
    const early = t.beginSearch();
    const o = op([{ id: 4, after: row(4, 'v') }], 0, 10);
    t.track(o);
    // The early search happens to show the new state: it says nothing about this op.
    expect(t.observe(early, new Map([['4', src(row(4, 'v'))]]), 20)).toEqual([]);
    expect(t.stats()).toMatchObject({ pending: 1, ambiguous: 0 });
  });

  it('does not sample an op that overlapped another op on the same product (commit order unknown)', () => {
    const t = new OpTracker({ sampleEvery: 1 });
    t.track(op([{ id: 6, after: row(6, 'a') }], 0, 50)); // acked at 50
    t.track(op([{ id: 6, after: row(6, 'b') }], 40, 60)); // sent at 40, before that ack
    expect(t.stats()).toMatchObject({ tracked: 1, superseded: 1, ambiguous: 1, pending: 0 });
    t.track(op([{ id: 6, after: row(6, 'c') }], 70, 80)); // strictly after: fine
    expect(t.stats()).toMatchObject({ tracked: 2, pending: 1 });
  });

  it('bounds pending ops and expires old ones', () => {
    const t = new OpTracker({ sampleEvery: 1, maxPending: 2, maxAgeMs: 1000 });
    for (let i = 1; i <= 3; i++) t.track(op([{ id: i, after: row(i, 'n') }], 0, 10));
    expect(t.stats()).toMatchObject({ tracked: 2, skippedFull: 1, pending: 2 });
    t.expire(500);
    expect(t.stats().pending).toBe(2);
    t.expire(1011);
    expect(t.stats()).toMatchObject({ expired: 2, pending: 0 });
  });

  it('never samples failed ops', () => {
    const t = new OpTracker({ sampleEvery: 1 });
    t.track({ ...op([], 0, 10, 'failed') });
    t.track(op([{ id: 1, after: row(1, 'x') }], 0, 10, 'unknown'));
    expect(t.stats().tracked).toBe(0);
  });
});
