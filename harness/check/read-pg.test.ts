import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPgRows } from './read-pg.ts';

/**
 * Runs only against a Postgres given by OUTBOX_CHAOS_TEST_PG_URL (any scratch database: it creates and drops
 * its own table). The unit project has no stack; the integration suite exercises the reader for real.
 */
const url = process.env['OUTBOX_CHAOS_TEST_PG_URL'];
const TABLE = 'check_read_pg_products';

describe.skipIf(url === undefined)('readPgRows (needs OUTBOX_CHAOS_TEST_PG_URL)', () => {
  const client = new pg.Client(url);

  beforeAll(async () => {
    await client.connect();
    await client.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await client.query(`CREATE TABLE ${TABLE} (
      product_id SERIAL PRIMARY KEY, name VARCHAR(255) NOT NULL, description TEXT,
      price NUMERIC(10, 2) NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)`);
    await client.query(`INSERT INTO ${TABLE} (product_id, name, description, price, created_at) VALUES
      (3, 'Café ☕ 👩‍💻', NULL, 19.9, '2024-05-01 10:20:30.123999'),
      (1, ' padded ', 'x', -0.5, NULL),
      (2, 'old', repeat('long ', 5000), 99999999.99, '1900-01-01 00:00:00.000500'),
      (10, 'ten', '', 0, '2024-05-01 10:20:30')`);
  });

  afterAll(async () => {
    await client.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await client.end();
  });

  it('streams normalised rows in product_id order across several FETCHes', async () => {
    const rows = [];
    for await (const row of readPgRows(url!, { table: TABLE, batchSize: 3 })) rows.push(row);
    expect(rows).toEqual([
      { product_id: 1, name: ' padded ', description: 'x', price: '-0.50', created_at: null },
      { product_id: 2, name: 'old', description: 'long '.repeat(5000), price: '99999999.99', created_at: -2_208_988_800_000 },
      { product_id: 3, name: 'Café ☕ 👩‍💻', description: null, price: '19.90', created_at: Date.UTC(2024, 4, 1, 10, 20, 30, 123) },
      { product_id: 10, name: 'ten', description: '', price: '0.00', created_at: Date.UTC(2024, 4, 1, 10, 20, 30) },
    ]);
  });

  it('reads one snapshot: a row committed while it streams is not in it', async () => {
    const seen: number[] = [];
    try {
      for await (const row of readPgRows(url!, { table: TABLE, batchSize: 1 })) {
        seen.push(row.product_id);
        if (seen.length === 1) await client.query(`INSERT INTO ${TABLE} (product_id, name, price) VALUES (4, 'late', 1)`);
      }
    } finally {
      await client.query(`DELETE FROM ${TABLE} WHERE product_id = 4`);
    }
    expect(seen).toEqual([1, 2, 3, 10]);
  });

  it('ends its transaction when the consumer stops early, and leaves a borrowed client usable', async () => {
    const borrowed = new pg.Client(url);
    await borrowed.connect();
    try {
      const seen: number[] = [];
      for await (const row of readPgRows(borrowed, { table: TABLE, batchSize: 1 })) {
        seen.push(row.product_id);
        if (seen.length === 2) break;
      }
      expect(seen).toEqual([1, 2]);
      const open = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE state LIKE 'idle in transaction%'`,
      );
      expect(open.rows[0]?.n).toBe('0');
      const again = [];
      for await (const row of readPgRows(borrowed, { table: TABLE })) again.push(row.product_id);
      expect(again).toEqual([1, 2, 3, 10]);
    } finally {
      await borrowed.end();
    }
  });

  it('refuses a table name that is not one', async () => {
    const read = readPgRows(url!, { table: 'a.b.c' });
    await expect(read.next()).rejects.toThrow(/not a table name/);
  });
});
