import { describe, expect, it } from 'vitest';
import { STOCK } from '../../test/fixtures/stock.ts';
import type { Row, TableModel } from '../model/table.ts';
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

describe('HistoryCheck: setup errors of a table other than products', () => {
  it('files them under the key, and under product_id only for a one-integer key', () => {
    const stock = new HistoryCheck(
      buildVersions([entry(0, { warehouse: 1, sku: 'a', qty: 5, note: null, doc_id: '1/a' }, 'ok')], STOCK),
      3,
    );
    stock.row({ warehouse: 1, sku: 'a', qty: 7, note: null, doc_id: '1/a' });
    expect(stock.finish().examples).toEqual([
      {
        product_id: -1,
        key: '[1,"a"]',
        detail:
          "Postgres holds no version the history wrote; the history's last committed state is version 1 of 1 (op #0)",
      },
    ]);

    const text = { name: 'text', type: { kind: 'text' }, nullable: true, default: null, toastable: false } as const;
    const events: TableModel = {
      name: 'events',
      key: ['id'],
      columns: [{ ...text, name: 'id', type: { kind: 'int8' }, nullable: false }, text],
      foreignKeys: [],
      replicaIdentity: 'default',
    };
    const insert: HistoryEntry<Row> = {
      ...entry(0, { id: 5, text: 'x' }, 'ok'),
      effects: [{ product_id: 5, key: '5', after: { id: 5, text: 'x' } }],
    };
    const check = new HistoryCheck(buildVersions([insert], events), 3);
    expect(check.finish().examples).toEqual([
      {
        product_id: 5,
        key: '5',
        detail: "Postgres has no row, but the history's last committed state is version 1 of 1 (op #0)",
      },
    ]);
  });
});
