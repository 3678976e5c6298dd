/**
 * The catalog reader against a real, throwaway Postgres 15 cluster (no stack). Skips when Postgres 15 is not
 * installed.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PRODUCTS_TABLE_DDL,
  startThrowawayPg,
  throwawayPgSuite,
  type ThrowawayPg,
} from '../../test/fixtures/pg-throwaway.ts';
import { ConfigError } from '../util/errors.ts';
import { readTableModels, UnsupportedColumnType } from './catalog.ts';
import { codecOf } from './codecs.ts';
import { PRODUCTS } from './products.ts';
import type { TableModel } from './table.ts';

const { skip, title } = throwawayPgSuite('catalog reader');

const SCHEMA = `
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'Cancelled');
CREATE TABLE customers (
  customer_id bigint PRIMARY KEY,
  email text NOT NULL,
  ext_id uuid NOT NULL DEFAULT gen_random_uuid(),
  profile jsonb,
  joined date
);
CREATE TABLE orders (
  order_id uuid PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers ON DELETE CASCADE,
  status order_status NOT NULL DEFAULT 'new',
  total numeric(12,4) NOT NULL,
  ratio numeric,
  tags text[],
  placed_at timestamptz NOT NULL DEFAULT now(),
  receipt bytea,
  paid boolean
);
CREATE TABLE order_lines (
  line_no int,
  order_id uuid REFERENCES orders (order_id),
  sku varchar(32),
  PRIMARY KEY (order_id, line_no)
);
ALTER TABLE order_lines REPLICA IDENTITY FULL;
CREATE SCHEMA audit;
CREATE TABLE audit.events (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at time, statuses order_status[]);
CREATE TABLE keyless (note text);
CREATE PUBLICATION shop FOR TABLE customers, orders, order_lines;
CREATE PUBLICATION empty_pub;
`;

describe.skipIf(skip)(title, () => {
  let db: ThrowawayPg | undefined;
  let client: pg.Client;

  beforeAll(async () => {
    db = await startThrowawayPg();
    client = new pg.Client(db.url);
    await client.connect();
    await client.query(PRODUCTS_TABLE_DDL);
    await client.query(SCHEMA);
  }, 120_000);

  afterAll(async () => {
    await client?.end().catch(() => undefined);
    await db?.stop(); // always: a leaked postmaster would outlive the test run
  }, 120_000);

  it("reads the products DDL as the products model, the harness's default", async () => {
    expect(await readTableModels(client, { tables: ['products'] })).toEqual([PRODUCTS]);
  });

  it('reads keys, types with typmods, enums, arrays, defaults, TOAST and foreign keys', async () => {
    const [customers, orders, lines] = await readTableModels(client, {
      tables: ['customers', 'orders', 'order_lines'],
    });
    expect(customers).toEqual({
      name: 'customers',
      key: ['customer_id'],
      columns: [
        { name: 'customer_id', type: { kind: 'int8' }, nullable: false, default: null, toastable: false },
        { name: 'email', type: { kind: 'text' }, nullable: false, default: null, toastable: true },
        { name: 'ext_id', type: { kind: 'uuid' }, nullable: false, default: 'gen_random_uuid()', toastable: false },
        { name: 'profile', type: { kind: 'jsonb' }, nullable: true, default: null, toastable: true },
        { name: 'joined', type: { kind: 'date' }, nullable: true, default: null, toastable: false },
      ],
      foreignKeys: [],
      replicaIdentity: 'default',
    } satisfies TableModel);
    const labels = ['new', 'paid', 'shipped', 'Cancelled'];
    expect(orders).toEqual({
      name: 'orders',
      key: ['order_id'],
      columns: [
        { name: 'order_id', type: { kind: 'uuid' }, nullable: false, default: null, toastable: false },
        { name: 'customer_id', type: { kind: 'int8' }, nullable: false, default: null, toastable: false },
        {
          name: 'status',
          type: { kind: 'enum', name: 'order_status', labels },
          nullable: false,
          default: "'new'::order_status",
          toastable: false,
        },
        {
          name: 'total',
          type: { kind: 'numeric', precision: 12, scale: 4 },
          nullable: false,
          default: null,
          toastable: true,
        },
        {
          name: 'ratio',
          type: { kind: 'numeric', precision: null, scale: null },
          nullable: true,
          default: null,
          toastable: true,
        },
        {
          name: 'tags',
          type: { kind: 'array', element: { kind: 'text' } },
          nullable: true,
          default: null,
          toastable: true,
        },
        {
          name: 'placed_at',
          type: { kind: 'timestamptz', precision: null },
          nullable: false,
          default: 'now()',
          toastable: false,
        },
        { name: 'receipt', type: { kind: 'bytea' }, nullable: true, default: null, toastable: true },
        { name: 'paid', type: { kind: 'bool' }, nullable: true, default: null, toastable: false },
      ],
      foreignKeys: [
        {
          name: 'orders_customer_id_fkey',
          columns: ['customer_id'],
          references: { table: 'customers', columns: ['customer_id'] },
          onDelete: 'cascade',
        },
      ],
      replicaIdentity: 'default',
    } satisfies TableModel);
    // A composite key in key order (not table order), a varchar length, replica identity full.
    expect(lines!.key).toEqual(['order_id', 'line_no']);
    expect(lines!.columns.map((c) => [c.name, c.type])).toEqual([
      ['line_no', { kind: 'int4' }],
      ['order_id', { kind: 'uuid' }],
      ['sku', { kind: 'varchar', length: 32 }],
    ]);
    expect(lines!.replicaIdentity).toBe('full');
    expect(lines!.foreignKeys).toEqual([
      {
        name: 'order_lines_order_id_fkey',
        columns: ['order_id'],
        references: { table: 'orders', columns: ['order_id'] },
        onDelete: 'no action',
      },
    ]);
    // Every column of these tables has a normaliser.
    for (const t of [customers!, orders!, lines!]) for (const c of t.columns) expect(codecOf(c)).toBeDefined();
  });

  it('reads a stored generated column: marked, its expression as the default', async () => {
    await client.query(`CREATE TABLE stock (
      warehouse smallint, sku varchar(40),
      doc_id text GENERATED ALWAYS AS (warehouse::text || '/' || sku) STORED NOT NULL,
      PRIMARY KEY (warehouse, sku))`);
    const [stock] = await readTableModels(client, { tables: ['stock'] });
    expect(stock!.columns.find((c) => c.name === 'doc_id')).toEqual({
      name: 'doc_id',
      type: { kind: 'text' },
      nullable: false,
      default: "(((warehouse)::text || '/'::text) || (sku)::text)",
      toastable: true,
      generated: true,
    });
    expect(stock!.columns.filter((c) => c.generated).map((c) => c.name)).toEqual(['doc_id']);
    await client.query('DROP TABLE stock');
  });

  it('reads a publication: its tables in name order', async () => {
    const tables = await readTableModels(client, { publication: 'shop' });
    expect(tables.map((t) => t.name)).toEqual(['customers', 'order_lines', 'orders']);
  });

  it('refuses a type without a normaliser, naming table, column and type (exit 2); lossy when asked', async () => {
    const refused = await readTableModels(client, { tables: ['audit.events'] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnsupportedColumnType);
    expect((refused as ConfigError).exitCode).toBe(2);
    expect((refused as Error).message).toBe(
      'audit.events.at has type time without time zone, which the checker has no normaliser for',
    );
    const [events] = await readTableModels(client, { tables: ['audit.events'] }, { lossy: ['audit.events.at'] });
    expect(events!.columns).toEqual([
      {
        name: 'id',
        type: { kind: 'int4' },
        nullable: false,
        default: 'GENERATED ALWAYS AS IDENTITY',
        toastable: false,
      },
      {
        name: 'at',
        type: { kind: 'time', precision: null },
        nullable: true,
        default: null,
        toastable: false,
        lossy: 'no normaliser for time without time zone',
      },
      {
        name: 'statuses',
        type: {
          kind: 'array',
          element: { kind: 'enum', name: 'order_status', labels: ['new', 'paid', 'shipped', 'Cancelled'] },
        },
        nullable: true,
        default: null,
        toastable: true,
      },
    ]);
  });

  it('refuses a missing table, a missing or empty publication, a keyless table and an unknown lossy name', async () => {
    const err = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e as ConfigError,
      );
    expect((await err(readTableModels(client, { tables: ['nope'] })))?.message).toBe('table nope does not exist');
    expect((await err(readTableModels(client, { publication: 'nope' })))?.message).toBe(
      'publication nope does not exist',
    );
    expect((await err(readTableModels(client, { publication: 'empty_pub' })))?.message).toBe(
      'publication empty_pub has no tables',
    );
    expect((await err(readTableModels(client, { tables: ['keyless'] })))?.message).toMatch(
      /^table keyless has no primary key/,
    );
    const lossy = await err(readTableModels(client, { tables: ['customers'] }, { lossy: ['customers.nope'] }));
    expect(lossy).toBeInstanceOf(ConfigError);
    expect(lossy?.message).toMatch(/customers\.nope/);
  });
});
