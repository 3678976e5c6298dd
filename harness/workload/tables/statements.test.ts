import { describe, expect, it } from 'vitest';
import type { Row } from '../../model/table.ts';
import { committedTableEffects, intendedTableEffects, type TableBeliefs } from './effects.ts';
import type { TableStep } from './ops.ts';
import { ORDERS_MODELS } from './orders-example.ts';
import { LEDGER } from '../../../test/fixtures/ledger.ts';
import { castType, shortHash, TableStatements } from './statements.ts';

const sql = new TableStatements(ORDERS_MODELS);
const CUSTOMER = { customer_id: 1_000_000, email: 'a@example.com', display_name: null, signed_up: '1969-12-31' };
const ORDER_ID = 'ABCDEF00-0000-4000-8000-000000000001';

describe('TableStatements', () => {
  it('casts every parameter, returns the snapshot expressions aliased to the columns', () => {
    const order: TableStep = {
      kind: 'insert',
      table: 'orders',
      key: ORDER_ID.toLowerCase(),
      values: {
        order_id: ORDER_ID,
        customer_id: 1_000_000,
        status: 'paid',
        total: '99999999.9999',
        placed_at: '2024-03-31T02:30:00+02:00',
      },
    };
    const c = sql.forStep(order);
    expect(c.text).toBe(
      'INSERT INTO "orders" ("order_id", "customer_id", "status", "total", "placed_at") VALUES ($1::uuid, ' +
        '$2::bigint, $3::"order_status", $4::numeric(12,4), $5::timestamp with time zone) ON CONFLICT DO NOTHING ' +
        'RETURNING "order_id"::text AS "order_id", "customer_id" AS "customer_id", "status"::text AS "status", ' +
        '"total"::text AS "total", "tags"::text AS "tags", "receipt"::text AS "receipt", "note"::text AS "note", ' +
        'floor(extract(epoch FROM "placed_at") * 1000)::bigint AS "placed_at"',
    );
    expect(c.values).toEqual([ORDER_ID, 1_000_000, 'paid', '99999999.9999', '2024-03-31T02:30:00+02:00']);
    const u = sql.forStep({ kind: 'update', table: 'orders', key: 'k', where: { order_id: 'k' }, set: { note: 'x' } });
    expect(u.text).toMatch(/^UPDATE "orders" SET "note" = \$2::text WHERE "order_id" = \$1::uuid RETURNING /);
    const d = sql.forStep({ kind: 'delete', table: 'customers', key: '7', where: { customer_id: 7 } });
    expect(d.text).toBe(
      'DELETE FROM "customers" WHERE "customer_id" = $1::bigint AND NOT EXISTS (SELECT 1 FROM "orders" WHERE ' +
        '"customer_id" = $1::bigint) RETURNING "customer_id"',
    );
    const o = sql.forStep({ kind: 'delete', table: 'orders', key: 'k', where: { order_id: 'k' } });
    expect(o.text).toBe('DELETE FROM "orders" WHERE "order_id" = $1::uuid RETURNING "order_id"'); // no children
  });

  it('names statements per table, kind and column subset: stable, distinct, at most 63 characters', () => {
    const insert = (values: Record<string, string>): string =>
      sql.forStep({ kind: 'insert', table: 'customers', key: '1', values }).name;
    const a = insert({ customer_id: '1', email: 'x' });
    expect(insert({ email: 'y', customer_id: '2' })).toBe(a); // column order of the step does not matter
    expect(insert({ customer_id: '1', email: 'x', vip: 'true' })).not.toBe(a);
    expect(a).toBe(`oc_wt_${shortHash('customers')}_i_${shortHash('customer_id,email')}`);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(castType({ kind: 'array', element: { kind: 'enum', name: 'Mood', labels: [] } })).toBe('"Mood"[]');
  });
});

describe('table effects', () => {
  const insert: TableStep = { kind: 'insert', table: 'customers', key: '1000000', values: CUSTOMER };

  it('committed: the RETURNING row normalised, product_id the integer key; an ON CONFLICT no-op believed', () => {
    const beliefs: TableBeliefs = new Map();
    const raw = { ...CUSTOMER, customer_id: '1000000', vip: false, preferences: '{"b": 1, "a": 2}' };
    const [e] = committedTableEffects([insert], [{ rows: [raw], rowCount: 1 }], beliefs, sql);
    expect(e).toEqual({
      product_id: 1_000_000,
      key: '1000000',
      table: 'customers',
      after: { ...CUSTOMER, vip: false, preferences: '{"a":2,"b":1}' },
    });
    const again = new Map<string, Row | 'unknown'>();
    expect(committedTableEffects([insert], [{ rows: [], rowCount: 0 }], again, sql)).toEqual([]);
    expect([...again.values()]).toEqual(['unknown']);
  });

  it('intended: a left-out constant default has its value; a uuid key gives product_id -1; no-ops skipped', () => {
    const beliefs: TableBeliefs = new Map();
    const [c] = intendedTableEffects([insert], beliefs, sql);
    expect(c?.after).toEqual({ ...CUSTOMER, vip: false, preferences: null });
    const order: TableStep = {
      kind: 'insert',
      table: 'orders',
      key: ORDER_ID.toLowerCase(),
      values: {
        order_id: ORDER_ID,
        customer_id: 1_000_000,
        status: 'paid',
        total: '1.5',
        tags: '{"a",NULL}',
        receipt: '\\xff00',
        note: null,
        placed_at: '2024-03-31T02:30:00+02:00',
      },
    };
    const update: TableStep = {
      kind: 'update',
      table: 'orders',
      key: order.key,
      where: { order_id: ORDER_ID },
      set: { total: 'NaN' },
    };
    const effects = intendedTableEffects([order, update, order], beliefs, sql);
    expect(effects).toHaveLength(2); // the second insert would meet ON CONFLICT DO NOTHING
    expect(effects[0]).toEqual({
      product_id: -1,
      key: ORDER_ID.toLowerCase(),
      table: 'orders',
      after: {
        order_id: ORDER_ID.toLowerCase(),
        customer_id: 1_000_000,
        status: 'paid',
        total: '1.5000',
        tags: '["a",null]',
        receipt: '/wA=',
        note: null,
        placed_at: Date.parse('2024-03-31T00:30:00Z'),
      },
    });
    expect(effects[1]?.after?.['total']).toBe('NaN');
    const del: TableStep = { kind: 'delete', table: 'orders', key: order.key, where: { order_id: ORDER_ID } };
    expect(intendedTableEffects([del, del], beliefs, sql)).toEqual([
      { product_id: -1, key: order.key, table: 'orders', after: null },
    ]);
  });
});

describe('an append column', () => {
  const ledger = new TableStatements([LEDGER]);

  it('is inserted as a list of the token and updated by array_append, where the row is', () => {
    const i = ledger.forStep({ kind: 'insert', table: 'ledger', key: '1', values: { id: 1, tokens: 't0', note: 'a' } });
    expect(i.text).toMatch(/VALUES \(\$1::bigint, ARRAY\[\$2::text\]::text\[\], \$3::text\)/);
    expect(i.values).toEqual([1, 't0', 'a']);
    const u = ledger.forStep({ kind: 'update', table: 'ledger', key: '1', where: { id: 1 }, set: { tokens: 't1' } });
    expect(u.text).toMatch(
      /^UPDATE "ledger" SET "tokens" = array_append\("tokens", \$2::text\) WHERE "id" = \$1::bigint/,
    );
  });

  it('an unacknowledged write is recorded with the token added to the list the worker believed', () => {
    const beliefs: TableBeliefs = new Map();
    const insert: TableStep = { kind: 'insert', table: 'ledger', key: '1', values: { id: 1, tokens: 't0', note: 'a' } };
    const update: TableStep = { kind: 'update', table: 'ledger', key: '1', where: { id: 1 }, set: { tokens: 't3' } };
    const effects = intendedTableEffects([insert, update], beliefs, ledger);
    expect(effects.map((e) => e.after?.['tokens'])).toEqual(['["t0"]', '["t0","t3"]']);
  });
});
