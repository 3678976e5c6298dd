import { describe, expect, it } from 'vitest';
import { STOCK } from '../../test/fixtures/stock.ts';
import type { Row } from '../model/table.ts';
import type { HistoryEntry } from '../record/history.ts';
import { HistoryCheck } from './history-check.ts';
import { buildVersions } from './versions.ts';

const entry = (seq: number, after: Row, outcome: HistoryEntry['outcome']): HistoryEntry<Row> => ({
  seq,
  kind: 'update',
  worker: 0,
  request: {},
  effects: [{ product_id: -1, key: '[1,"a"]', table: 'stock', after }],
  sendMs: seq,
  ackMs: seq,
  outcome,
});

describe('HistoryCheck: what an unacknowledged write could not know', () => {
  it('a generated column: an unknown-outcome update recorded without it still explains the row', () => {
    const history = [
      entry(0, { warehouse: 1, sku: 'a', qty: 5, note: null, doc_id: '1/a' }, 'ok'),
      // The intent of an update whose commit was not acknowledged: Postgres' doc_id unknown, qty kept.
      entry(1, { warehouse: 1, sku: 'a', qty: 9, note: null, doc_id: null }, 'unknown'),
    ];
    const check = (row: Row) => {
      const c = new HistoryCheck(buildVersions(history, STOCK), 3);
      c.row(row);
      return c.finish().count;
    };
    expect(check({ warehouse: 1, sku: 'a', qty: 9, note: null, doc_id: '1/a' })).toBe(0); // it committed
    expect(check({ warehouse: 1, sku: 'a', qty: 5, note: null, doc_id: '1/a' })).toBe(0); // it did not
    expect(check({ warehouse: 1, sku: 'a', qty: 7, note: null, doc_id: '1/a' })).toBe(1); // another writer
  });
});
