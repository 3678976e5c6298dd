import { describe, expect, it } from 'vitest';
import { HistoryRecorder, product } from '../../test/fixtures/checker.ts';
import type { HistoryEntry } from '../record/history.ts';
import { DELETED, fingerprintRow } from './fingerprint.ts';
import { buildVersions, buildVersionsAsync, versionsOf } from './versions.ts';

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

    expect(Array.from(index.pids)).toEqual([1, 2]);
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

  it('builds from an async iterable, and handles more versions than one growth step', async () => {
    async function* history(): AsyncGenerator<HistoryEntry> {
      const h = new HistoryRecorder();
      for (let i = 3000; i > 0; i--) yield h.insert(product(i % 1000, { name: `n${i}` }));
    }
    const index = await buildVersionsAsync(history());
    expect(index.pids.length).toBe(1000);
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
});
