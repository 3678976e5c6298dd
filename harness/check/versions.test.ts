import { describe, expect, it } from 'vitest';
import { HistoryRecorder, product } from '../../test/fixtures/checker.ts';
import type { Row, TableModel } from '../model/table.ts';
import type { Effect, HistoryEntry } from '../record/history.ts';
import { DELETED, fingerprintOf, fingerprintRow } from './fingerprint.ts';
import {
  buildVersions,
  buildVersionsAsync,
  describeVersion,
  findVersion,
  productSlot,
  rowsLeft,
  versionsOf,
} from './versions.ts';
import { column as col } from '../../test/fixtures/tables.ts';

describe('buildVersions', () => {
  it('lists each product’s states in commit order; failed ops contribute nothing', () => {
    const h = new HistoryRecorder();
    const v1 = product(2);
    const v2 = product(2, { price: '5.00' });
    h.insert(product(1));
    h.insert(v1);
    h.update(product(2, { price: '6.66' }), 'failed');
    h.update(v2, 'unknown');
    h.delete(2);
    const index = buildVersions(h.entries);

    expect(Array.from(index.keys as Float64Array)).toEqual([1, 2]);
    expect(versionsOf(index, 2)).toEqual([
      { number: 1, of: 3, seq: 1, possible: false, deleted: false, fingerprint: fingerprintRow(v1) },
      { number: 2, of: 3, seq: 3, possible: true, deleted: false, fingerprint: fingerprintRow(v2) },
      { number: 3, of: 3, seq: 4, possible: false, deleted: true, fingerprint: DELETED },
    ]);
    expect(versionsOf(index, 3)).toEqual([]);
  });

  it('orders by ackMs, then seq, whatever order the history arrives in', () => {
    const a = product(1, { name: 'a' });
    const b = product(1, { name: 'b' });
    const c = product(1, { name: 'c' });
    const entry = (seq: number, ackMs: number, row: typeof a): HistoryEntry => ({
      seq,
      kind: 'update',
      worker: seq,
      request: null,
      effects: [{ product_id: 1, after: row }],
      sendMs: 0,
      ackMs,
      outcome: 'ok',
    });
    // b was sent later but acknowledged first; c ties with a on ackMs and loses on seq.
    const index = buildVersions([entry(5, 200, c), entry(3, 200, a), entry(4, 100, b)]);
    expect(versionsOf(index, 1).map((v) => v.fingerprint)).toEqual([b, a, c].map(fingerprintRow));
    // A tie that arrives in seq order stays in it.
    const inOrder = buildVersions([entry(3, 200, a), entry(5, 200, c)]);
    expect(versionsOf(inOrder, 1).map((v) => v.seq)).toEqual([3, 5]);
  });

  it('orders each product on its own: another product acknowledged later never moves into its versions', () => {
    const entry = (seq: number, ackMs: number, row: ReturnType<typeof product>): HistoryEntry => ({
      seq,
      kind: 'update',
      worker: seq,
      request: null,
      effects: [{ product_id: row.product_id, after: row }],
      sendMs: 0,
      ackMs,
      outcome: 'ok',
    });
    const late = product(1, { name: 'late' });
    const x = product(2, { name: 'x' });
    const y = product(2, { name: 'y' });
    const index = buildVersions([entry(0, 300, late), entry(1, 200, x), entry(2, 100, y)]);
    expect(versionsOf(index, 1).map((v) => v.fingerprint)).toEqual([fingerprintRow(late)]);
    expect(versionsOf(index, 2).map((v) => v.fingerprint)).toEqual([y, x].map(fingerprintRow));
  });

  it('orders a hot key with many versions (more than a small-array sort handles) by commit too', () => {
    // Arrival order is the reverse of commit order: the index must put them back.
    const entries: HistoryEntry[] = [];
    for (let i = 0; i < 100; i++) {
      entries.push({
        seq: i,
        kind: 'update',
        worker: 0,
        request: null,
        effects: [{ product_id: 1, after: product(1, { name: `v${i}` }) }],
        sendMs: 0,
        ackMs: 10_000 - i,
        outcome: 'ok',
      });
    }
    const index = buildVersions([
      { ...entries[0]!, effects: [{ product_id: 2, after: product(2) }] },
      ...entries.slice(1),
    ]);
    expect(versionsOf(index, 1).map((v) => v.seq)).toEqual(Array.from({ length: 99 }, (_, i) => 99 - i));
    expect(versionsOf(index, 2).map((v) => v.seq)).toEqual([0]);
  });

  it('keeps the effects of one transaction in their commit order', () => {
    const h = new HistoryRecorder();
    h.txn([
      { product_id: 9, after: product(9, { name: 'first' }) },
      { product_id: 3, after: product(3) },
      { product_id: 9, after: product(9, { name: 'second' }) },
    ]);
    const index = buildVersions(h.entries);
    expect(versionsOf(index, 9).map((v) => v.fingerprint)).toEqual(
      [product(9, { name: 'first' }), product(9, { name: 'second' })].map(fingerprintRow),
    );
  });

  it('fingerprints one value the same however the history encoded it', () => {
    const h = new HistoryRecorder();
    h.insert({ ...product(1), price: '19.9' });
    const index = buildVersions(h.entries);
    expect(versionsOf(index, 1)[0]?.fingerprint).toBe(fingerprintRow(product(1, { price: '19.90' })));
  });

  it('reads other encodings a workload may record (a numeric price, a text created_at, an absent description)', () => {
    const row = product(1, { price: '19.90', created_at: Date.UTC(2024, 4, 1, 10, 20, 30, 123) });
    const encoded = [
      { ...row, price: 19.9 },
      { ...row, created_at: '2024-05-01T10:20:30.123Z' },
      { ...row, price: '-0.00' },
    ] as unknown as ReturnType<typeof product>[];
    const h = new HistoryRecorder();
    for (const after of encoded) h.update(after);
    const fps = versionsOf(buildVersions(h.entries), 1).map((v) => v.fingerprint);
    expect(fps).toEqual([fingerprintRow(row), fingerprintRow(row), fingerprintRow({ ...row, price: '0.00' })]);
    const { description: _d, ...noDescription } = product(2);
    const h2 = new HistoryRecorder();
    h2.insert(noDescription as ReturnType<typeof product>);
    expect(versionsOf(buildVersions(h2.entries), 2)[0]?.fingerprint).toBe(
      fingerprintRow(product(2, { description: null })),
    );
  });

  it.each([
    ['product_id', 'x'],
    ['name', 42],
    ['description', 42],
    ['price', '19.999'],
    ['created_at', 'yesterday'],
  ] as const)('refuses a history row whose %s is %j, naming the op and the product', (field, value) => {
    const h = new HistoryRecorder();
    h.insert(product(1));
    h.txn([{ product_id: 1, after: { ...product(1), [field]: value } as unknown as ReturnType<typeof product> }]);
    expect(() => buildVersions(h.entries)).toThrow(
      `history op #1: product 1 has ${field} ${JSON.stringify(value)}, not `,
    );
  });

  it('builds from an async iterable, and handles more versions than one growth step', async () => {
    async function* history(): AsyncGenerator<HistoryEntry> {
      const h = new HistoryRecorder();
      for (let i = 3000; i > 0; i--) yield h.insert(product(i % 1000, { name: `n${i}` }));
    }
    const index = await buildVersionsAsync(history());
    expect(index.keys.length).toBe(1000);
    expect(versionsOf(index, 0).map((v) => v.seq)).toEqual([0, 1000, 2000]);
  });

  it('tells null from the empty string and keeps fields apart', () => {
    const fp = (overrides: Parameters<typeof product>[1]): number => fingerprintRow(product(1, overrides));
    expect(fp({ description: null })).not.toBe(fp({ description: '' }));
    expect(fp({ name: 'ab', description: 'c' })).not.toBe(fp({ name: 'a', description: 'bc' }));
    expect(fp({ created_at: null })).not.toBe(fp({ created_at: 0 }));
    expect(fp({ created_at: 2 ** 32 })).not.toBe(fp({ created_at: 0 }));
    expect(fp({})).toBe(fp({}));
    expect(Number.isSafeInteger(fp({}))).toBe(true);
  });

  it('every code unit counts, and text never moves across a field boundary unseen', () => {
    const fp = (overrides: Parameters<typeof product>[1]): number => fingerprintRow(product(1, overrides));
    expect(fp({ name: 'ab' })).not.toBe(fp({ name: 'ac' }));
    expect(fp({ name: 'ab' })).not.toBe(fp({ name: 'ba' }));
    expect(fp({ name: 'abc' })).not.toBe(fp({ name: 'abd' }));
    expect(fp({ description: 'abcd' })).not.toBe(fp({ description: 'abce' }));
    // U+FFFF pairs pack into the word -1: only the length headers keep these two rows apart.
    expect(fp({ name: 'ab', description: 'cd\uffff\uffff' })).not.toBe(
      fp({ name: 'ab\uffff\uffffcd', description: '' }),
    );
  });

  it('tells apart timestamps one millisecond apart across the whole safe range', () => {
    const fp = (t: number): number => fingerprintRow(product(1, { created_at: t }));
    for (const t of [
      0,
      -1,
      2 ** 32 - 1,
      1_700_000_000_000,
      -2_208_988_800_000,
      1_700_000_000_000_000,
      Number.MAX_SAFE_INTEGER - 1,
    ]) {
      expect(fp(t), String(t)).not.toBe(fp(t + 1));
    }
  });
});

describe('rowsLeft', () => {
  /** rowsLeft of a history of product 1 alone, written by `ops` in this order. */
  const left = (ops: (h: HistoryRecorder) => void): number => {
    const h = new HistoryRecorder();
    ops(h);
    return rowsLeft(buildVersions(h.entries));
  };

  it('counts a key whose last certain version is a row, with no unknown delete after it', () => {
    expect(left((h) => h.insert(product(1)))).toBe(1);
    expect(left((h) => (h.insert(product(1)), h.update(product(1, { name: 'maybe' }), 'unknown')))).toBe(1);
  });

  it('does not count a key deleted, maybe deleted, maybe never written, or last certainly deleted', () => {
    expect(left((h) => (h.insert(product(1)), h.delete(1)))).toBe(0);
    expect(left((h) => (h.insert(product(1)), h.delete(1, 'unknown')))).toBe(0);
    expect(left((h) => h.insert(product(1), 'unknown'))).toBe(0);
    expect(left((h) => (h.delete(1), h.insert(product(1), 'unknown')))).toBe(0);
    expect(
      left((h) => (h.insert(product(1)), h.delete(1, 'unknown'), h.update(product(1, { name: 'after' }), 'unknown'))),
    ).toBe(0);
  });

  it('counts every key on its own', () => {
    const h = new HistoryRecorder();
    h.insert(product(1));
    h.insert(product(2));
    h.delete(2);
    h.insert(product(3));
    h.update(product(3, { name: 'maybe' }), 'unknown');
    h.insert(product(4), 'unknown');
    h.insert(product(5));
    expect(rowsLeft(buildVersions(h.entries))).toBe(3);
    expect(rowsLeft(buildVersions([]))).toBe(0);
  });
});

describe('describeVersion and findVersion', () => {
  const a = product(1, { name: 'a' });
  const b = product(1, { name: 'b' });
  /** Built in each test: the mutation run sees only code a test runs. */
  const build = (): { index: ReturnType<typeof buildVersions>; slot: number } => {
    const h = new HistoryRecorder();
    h.insert(product(0));
    h.insert(a);
    h.update(b, 'unknown');
    h.update(a);
    const index = buildVersions(h.entries);
    return { index, slot: productSlot(index, 1) };
  };

  it('names a version by its number, count and op, and says when its outcome is unknown', () => {
    const { index, slot } = build();
    expect(slot).toBe(1);
    expect(describeVersion(index, slot, 1)).toBe('version 1 of 3 (op #1)');
    expect(describeVersion(index, slot, 2)).toBe('version 2 of 3 (op #2, outcome unknown)');
  });

  it('finds the latest version with a fingerprint, and -1 for none or for a key the history never touched', () => {
    const { index, slot } = build();
    expect(findVersion(index, slot, fingerprintRow(a))).toBe(3);
    expect(findVersion(index, slot, fingerprintRow(b))).toBe(2);
    expect(findVersion(index, slot, fingerprintRow(product(0)))).toBe(-1);
    expect(findVersion(index, productSlot(index, 0), fingerprintRow(product(0)))).toBe(0);
    expect(findVersion(index, productSlot(index, 7), fingerprintRow(a))).toBe(-1);
  });

  it('marks only an index of another table with its table', () => {
    expect('table' in build().index).toBe(false);
  });
});

describe('buildVersions of another table', () => {
  const accounts: TableModel = {
    name: 'accounts',
    key: ['account_id'],
    columns: [col('account_id', { kind: 'uuid' }, false), col('note', { kind: 'text' })],
    foreignKeys: [],
    replicaIdentity: 'default',
  };
  const events: TableModel = {
    name: 'events',
    key: ['id'],
    columns: [col('id', { kind: 'int8' }, false), col('note', { kind: 'text' })],
    foreignKeys: [],
    replicaIdentity: 'default',
  };
  const uuid = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const entry = (seq: number, effects: Effect<Row>[]): HistoryEntry<Row> => ({
    seq,
    kind: 'txn',
    worker: 0,
    request: null,
    effects,
    sendMs: seq,
    ackMs: seq,
    outcome: 'ok',
  });

  it('keys text keys by their text, from the effect or else from the row, and keeps other tables out', () => {
    const fp = fingerprintOf(accounts);
    const r1 = { account_id: uuid(1), note: 'one' };
    const r2 = { account_id: uuid(2), note: 'two' };
    const index = buildVersions(
      [
        entry(0, [{ product_id: -1, key: uuid(2), table: 'accounts', after: r2 }]),
        entry(1, [{ product_id: -1, after: r1 }]),
        entry(2, [{ product_id: 5, table: 'events', after: { id: 5, note: 'x' } }]),
        entry(3, [{ product_id: -1, key: uuid(2), after: null }]),
      ],
      accounts,
    );
    expect(index.keys).toEqual([uuid(1), uuid(2)]);
    expect(index.table).toBe(accounts);
    expect(versionsOf(index, uuid(1)).map((v) => v.fingerprint)).toEqual([fp(r1)]);
    expect(versionsOf(index, uuid(2)).map((v) => [v.seq, v.fingerprint])).toEqual([
      [0, fp(r2)],
      [3, DELETED],
    ]);
  });

  it('keys a one-column integer key by its number', () => {
    const index = buildVersions(
      [
        entry(0, [{ product_id: 10, key: '10', after: { id: 10, note: null } }]),
        entry(1, [{ product_id: 9, after: { id: 9, note: null } }]),
      ],
      events,
    );
    expect(Array.from(index.keys as Float64Array)).toEqual([9, 10]);
  });

  it('refuses an effect without a key, and a row it cannot read, naming the table and the key', () => {
    expect(() => buildVersions([entry(4, [{ product_id: -1, after: null }])], accounts)).toThrow(
      'history op #4: a accounts effect without a key',
    );
    const bad = { account_id: uuid(3), note: 42 };
    expect(() => buildVersions([entry(6, [{ product_id: -1, key: uuid(3), after: bad }])], accounts)).toThrow(
      `history op #6: accounts ${uuid(3)} has note 42, not `,
    );
  });
});
