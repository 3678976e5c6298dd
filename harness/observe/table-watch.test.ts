import { describe, expect, it } from 'vitest';
import { indexReadingOf } from '../check/mapping.ts';
import type { Row, TableModel } from '../model/table.ts';
import type { HistoryEntry } from '../record/history.ts';
import { OpTracker } from './op-tracker.ts';
import { RegressionWatch } from './regression-watch.ts';

/** A definition's own table with a uuid key (not products): orders. */
const ORDERS: TableModel = {
  name: 'orders',
  key: ['order_id'],
  columns: [
    { name: 'order_id', type: { kind: 'uuid' }, nullable: false, default: null, toastable: false },
    { name: 'status', type: { kind: 'text' }, nullable: false, default: null, toastable: true },
    {
      name: 'total',
      type: { kind: 'numeric', precision: 12, scale: 4 },
      nullable: false,
      default: null,
      toastable: false,
    },
  ],
  foreignKeys: [],
  replicaIdentity: 'full',
};

const A = '0b1f6a52-8a57-4c11-9d1e-000000000001';
const B = '0b1f6a52-8a57-4c11-9d1e-000000000002';

const order = (id: string, status: string, total = '10.0000'): Row => ({ order_id: id, status, total });
/** A document as the sink writes it: the total as a number. */
const doc = (r: Row): Record<string, unknown> => ({ ...r, total: Number(r['total']) });

let nextSeq = 0;
function op(
  effects: { table?: string; key: string; after: Row | null }[],
  sendMs: number,
  ackMs: number,
): HistoryEntry<Row> {
  return {
    seq: nextSeq++,
    kind: 'update',
    worker: 0,
    request: {},
    effects: effects.map((e) => ({ product_id: -1, key: e.key, table: e.table ?? 'orders', after: e.after })),
    sendMs,
    ackMs,
    outcome: 'ok',
  };
}

const reading = indexReadingOf(
  { properties: { order_id: { type: 'keyword' }, status: { type: 'keyword' }, total: { type: 'double' } } },
  [],
  ORDERS,
);

describe("OpTracker on a definition's own table", () => {
  const tracker = (): OpTracker => new OpTracker({ sampleEvery: 1, table: { model: ORDERS, reading: () => reading } });

  it('tracks by key text (the _id) and measures once the document reads as the post-state', () => {
    const t = tracker();
    const e = op([{ key: A, after: order(A, 'paid', '12.5') }], 0, 10);
    t.track(e);
    const s1 = t.beginSearch();
    expect(s1.ids).toEqual([A]);
    expect(t.observe(s1, new Map([[A, doc(order(A, 'pending'))]]), 20)).toEqual([]);
    // 12.5 reads as the row's canonical 12.5000.
    const found = t.observe(t.beginSearch(), new Map([[A, doc(order(A, 'paid', '12.5000'))]]), 50);
    expect(found).toEqual([{ t: 50, kind: 'op-lag', opSeq: e.seq, lagMs: 40, table: 'orders' }]);
    expect(t.stats()).toMatchObject({ tracked: 1, seen: 1, pending: 0 });
  });

  it("another table's effects are neither tracked nor superseding; a txn's own effects are", () => {
    const t = tracker();
    t.track(op([{ table: 'customers', key: '7', after: { customer_id: 7 } }], 0, 5));
    expect(t.stats().tracked).toBe(0);
    expect(t.beginSearch().ids).toEqual([]);
    const txn = op(
      [
        { table: 'customers', key: '7', after: { customer_id: 7 } },
        { key: B, after: order(B, 'pending') },
      ],
      10,
      20,
    );
    t.track(txn);
    expect(t.beginSearch().ids).toEqual([B]);
    // A later op on customer 7 leaves the orders op pending.
    t.track(op([{ table: 'customers', key: '7', after: null }], 30, 40));
    expect(t.stats()).toMatchObject({ tracked: 1, superseded: 0, pending: 1 });
    const s = t.beginSearch();
    t.observe(s, new Map(), 45);
    const seen = t.observe(t.beginSearch(), new Map([[B, doc(order(B, 'pending'))]]), 60);
    expect(seen.map((x) => (x.kind === 'op-lag' ? x.opSeq : -1))).toEqual([txn.seq]);
  });

  it('a document that differs in any compared column is not the post-state', () => {
    const t = tracker();
    t.track(op([{ key: A, after: order(A, 'paid', '12.5000') }], 0, 10));
    t.observe(t.beginSearch(), new Map(), 20);
    expect(t.observe(t.beginSearch(), new Map([[A, doc(order(A, 'paid', '12.5001'))]]), 30)).toEqual([]);
    expect(t.observe(t.beginSearch(), new Map([[A, { ...doc(order(A, 'paid')), status: 'PAID' }]]), 40)).toEqual([]);
    expect(t.stats().pending).toBe(1);
  });
});

describe("RegressionWatch on a definition's own table", () => {
  const watching = (): RegressionWatch<string> => {
    const w = new RegressionWatch<string>({ watchEvery: 1, table: { model: ORDERS } });
    w.setReading(reading);
    return w;
  };

  it('an older version shown after a newer one is a regression, named by table and key', () => {
    const w = watching();
    const v1 = order(A, 'pending');
    const v2 = order(A, 'paid', '12.5');
    const first = op([{ key: A, after: v1 }], 0, 1);
    const second = op([{ key: A, after: v2 }], 2, 3);
    w.track(first);
    w.track(second);
    expect(w.ids()).toEqual([A]);
    expect(w.observe(new Map([[A, doc(v1)]]), [A], 10)).toEqual([]);
    expect(w.observe(new Map([[A, doc(order(A, 'paid', '12.5000'))]]), [A], 20)).toEqual([]);
    expect(w.observe(new Map([[A, doc(v1)]]), [A], 30)).toEqual([
      {
        t: 30,
        kind: 'regression',
        product_id: -1,
        table: 'orders',
        key: A,
        from: { version: 2, seq: second.seq, t: 20 },
        to: { version: 1, seq: first.seq, t: 30 },
      },
    ]);
    expect(w.coverage()).toMatchObject({ products: 1, reads: 3 });
  });

  it('versions in order, a delete shown as no document, and documents of other rows are no regression', () => {
    const w = watching();
    w.track(op([{ key: A, after: order(A, 'pending') }], 0, 1));
    w.track(op([{ key: A, after: order(A, 'paid') }], 2, 3));
    w.track(op([{ key: A, after: null }], 4, 5));
    expect(w.observe(new Map(), [A], 9)).toEqual([]);
    expect(w.observe(new Map([[A, doc(order(A, 'pending'))]]), [A], 10)).toEqual([]);
    expect(w.observe(new Map([[A, doc(order(A, 'paid'))]]), [A], 20)).toEqual([]);
    expect(w.observe(new Map([[B, doc(order(B, 'pending'))]]), [A], 30)).toEqual([]);
  });

  it("another table's effects are not watched", () => {
    const w = watching();
    w.track(op([{ table: 'customers', key: '7', after: { customer_id: 7 } }], 0, 1));
    expect(w.ids()).toEqual([]);
    expect(w.coverage()).toMatchObject({ products: 0, unwatched: 0 });
  });

  it('rows are chosen by key text, the same ones in every run', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k-${i}`);
    const chosen = (): string[] => {
      const w = new RegressionWatch<string>({ watchEvery: 10, maxWatched: 1000, table: { model: ORDERS } });
      for (const k of keys) w.track(op([{ key: k, after: order(k, 'pending') }], 0, 1));
      return w.ids();
    };
    const once = chosen();
    expect(once.length).toBeGreaterThan(5);
    expect(once.length).toBeLessThan(50);
    expect(chosen()).toEqual(once);
  });
});
