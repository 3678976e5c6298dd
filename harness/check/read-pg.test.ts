/**
 * The snapshot reader against a real, throwaway Postgres 15 cluster (no stack). Skips, with the reason, when
 * Postgres 15 is not installed.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PRODUCTS_TABLE_DDL,
  startThrowawayPg,
  throwawayPgSuite,
  type ThrowawayPg,
} from '../../test/fixtures/pg-throwaway.ts';
import { readPgRows, type PgConnection, type PgReadOptions } from './read-pg.ts';

const { skip, title } = throwawayPgSuite('readPgRows');

const TABLE = 'check_read_pg_products';
const ROWS = `(3, 'Café ☕ 👩‍💻', NULL, 19.9, '2024-05-01 10:20:30.123999'),
  (1, ' padded ', 'x', -0.5, NULL),
  (2, 'old', repeat('long ', 5000), 99999999.99, '1900-01-01 00:00:00.000500'),
  (10, 'ten', '', 0, '2024-05-01 10:20:30')`;
const EXPECTED = [
  { product_id: 1, name: ' padded ', description: 'x', price: '-0.50', created_at: null },
  {
    product_id: 2,
    name: 'old',
    description: 'long '.repeat(5000),
    price: '99999999.99',
    created_at: -2_208_988_800_000,
  },
  {
    product_id: 3,
    name: 'Café ☕ 👩‍💻',
    description: null,
    price: '19.90',
    created_at: Date.UTC(2024, 4, 1, 10, 20, 30, 123),
  },
  { product_id: 10, name: 'ten', description: '', price: '0.00', created_at: Date.UTC(2024, 4, 1, 10, 20, 30) },
];

/** A free port to ask for: the fixture's default one may be taken by another test file's cluster. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

describe.skipIf(skip)(title, () => {
  let db: ThrowawayPg | undefined;
  let admin: pg.Client;
  let url: string;

  async function readAll(connection: PgConnection, options: PgReadOptions = { table: TABLE }): Promise<number[]> {
    const ids: number[] = [];
    for await (const row of readPgRows(connection, options)) ids.push(row.product_id);
    return ids;
  }

  /** Backends of this cluster other than the admin connection. */
  async function otherBackends(): Promise<{ state: string | null; application_name: string }[]> {
    const r = await admin.query<{ state: string | null; application_name: string }>(
      `SELECT state, application_name FROM pg_stat_activity WHERE ` +
        `backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    );
    return r.rows;
  }

  beforeAll(async () => {
    db = await startThrowawayPg({ port: await freePort() });
    url = db.url;
    admin = new pg.Client(url);
    await admin.connect();
    await admin.query(PRODUCTS_TABLE_DDL);
    await admin.query(`CREATE TABLE ${TABLE} (
      product_id SERIAL PRIMARY KEY, name VARCHAR(255) NOT NULL, description TEXT,
      price NUMERIC(10, 2) NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)`);
    await admin.query(`INSERT INTO ${TABLE} (product_id, name, description, price, created_at) VALUES ${ROWS}`);
    await admin.query(
      `INSERT INTO products (product_id, name, description, price, created_at) VALUES (7, 'seven', NULL, 7, NULL)`,
    );
    await admin.query(`CREATE SCHEMA shop`);
    await admin.query(`CREATE TABLE shop."We""ird" (LIKE ${TABLE} INCLUDING ALL)`);
    await admin.query(`INSERT INTO shop."We""ird" SELECT * FROM ${TABLE} WHERE product_id IN (2, 10)`);
  }, 120_000);

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await db?.stop(); // always: a leaked postmaster would outlive the test run
  }, 120_000);

  it('streams normalised rows in product_id order across several FETCHes', async () => {
    const rows = [];
    for await (const row of readPgRows(url, { table: TABLE, batchSize: 3 })) rows.push(row);
    expect(rows).toEqual(EXPECTED);
  });

  it('reads the same rows whatever the batch size, a batch that ends exactly at the last row included', async () => {
    for (const batchSize of [1, 2, 4, 5, 10_000])
      expect(await readAll(url, { table: TABLE, batchSize })).toEqual([1, 2, 3, 10]);
    expect(await readAll(url, { table: TABLE })).toEqual([1, 2, 3, 10]);
  });

  it('sends one FETCH per batch the rows need, none after the last, short one', async () => {
    const borrowed = new pg.Client(url);
    await borrowed.connect();
    const texts: string[] = [];
    const query = borrowed.query.bind(borrowed) as (...args: unknown[]) => unknown;
    borrowed.query = ((...args: unknown[]) => {
      const q = args[0];
      texts.push(typeof q === 'string' ? q : String((q as { text?: unknown }).text));
      return query(...args);
    }) as typeof borrowed.query;
    try {
      const fetches = async (batchSize: number): Promise<number> => {
        texts.length = 0;
        expect(await readAll(borrowed, { table: TABLE, batchSize })).toEqual([1, 2, 3, 10]);
        return texts.filter((t) => t.startsWith('FETCH')).length;
      };
      expect(await fetches(3)).toBe(2);
      expect(await fetches(10)).toBe(1);
    } finally {
      await borrowed.end();
    }
  });

  it('reads the products table by default', async () => {
    expect(await readAll(url, {})).toEqual([7]);
    const rows = [];
    for await (const row of readPgRows(url)) rows.push(row);
    expect(rows).toEqual([{ product_id: 7, name: 'seven', description: null, price: '7.00', created_at: null }]);
  });

  it('reads a schema-qualified table, quoting each part as an identifier', async () => {
    expect(await readAll(url, { table: `public.${TABLE}` })).toEqual([1, 2, 3, 10]);
    expect(await readAll(url, { table: 'shop.We"ird' })).toEqual([2, 10]);
  });

  it('never runs a table name as SQL', async () => {
    await expect(readAll(url, { table: `${TABLE}; DROP TABLE products` })).rejects.toThrow(/does not exist/);
    expect(await readAll(url, {})).toEqual([7]);
  });

  it('reads one snapshot: a row committed while it streams is not in it', async () => {
    const seen: number[] = [];
    try {
      for await (const row of readPgRows(url, { table: TABLE, batchSize: 1 })) {
        seen.push(row.product_id);
        if (seen.length === 1)
          await admin.query(`INSERT INTO ${TABLE} (product_id, name, price) VALUES (4, 'late', 1)`);
      }
    } finally {
      await admin.query(`DELETE FROM ${TABLE} WHERE product_id = 4`);
    }
    expect(seen).toEqual([1, 2, 3, 10]);
  });

  it('reads inside a read-only transaction', async () => {
    const client = new pg.Client(url);
    await client.connect();
    try {
      const reader = readPgRows(client, { table: TABLE, batchSize: 1 });
      await reader.next();
      await expect(client.query(`INSERT INTO ${TABLE} (product_id, name, price) VALUES (5, 'no', 1)`)).rejects.toThrow(
        /read-only transaction/,
      );
      await reader.return(undefined);
    } finally {
      await client.end();
    }
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
      expect((await otherBackends()).map((b) => b.state)).toEqual(['idle']);
      expect(await readAll(borrowed)).toEqual([1, 2, 3, 10]);
      expect((await otherBackends()).map((b) => b.state)).toEqual(['idle']);
    } finally {
      await borrowed.end();
    }
  });

  it(
    'leaves a borrowed client in a failed transaction as ' + 'it found it: it ends only the transaction it began',
    async () => {
      const borrowed = new pg.Client(url);
      await borrowed.connect();
      try {
        await borrowed.query('BEGIN');
        await borrowed.query('SELECT 1 / 0').catch(() => undefined);
        await expect(readAll(borrowed)).rejects.toThrow(/current transaction is aborted/);
        // Still the caller's aborted transaction: the reader did not roll it back behind the caller's back.
        await expect(borrowed.query('SELECT 1')).rejects.toThrow(/current transaction is aborted/);
        await borrowed.query('ROLLBACK');
        expect(await readAll(borrowed)).toEqual([1, 2, 3, 10]);
      } finally {
        await borrowed.end();
      }
    },
  );

  it('fails the read, not the process, when its connection is lost between two batches', async () => {
    const name = 'oc-read-pg-lost';
    const crashes: unknown[] = [];
    const onCrash = (error: unknown): void => {
      crashes.push(error);
    };
    process.on('uncaughtException', onCrash);
    try {
      const reader = readPgRows({ connectionString: url, application_name: name }, { table: TABLE, batchSize: 1 });
      expect((await reader.next()).value).toMatchObject({ product_id: 1 });
      // The next batch is already fetched; wait for the connection to be idle, then end it from the server side.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [name]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(
        (async () => {
          for (let r = await reader.next(); !r.done; r = await reader.next());
        })(),
      ).rejects.toThrow(/terminat|not queryable/);
    } finally {
      process.off('uncaughtException', onCrash);
    }
    expect(crashes).toEqual([]);
  });

  it('closes the connection it opened, from a connection string or a config, when done or stopped early', async () => {
    expect(await readAll(url)).toEqual([1, 2, 3, 10]);
    const config = { connectionString: url, application_name: 'oc-read-pg-test' };
    expect(await readAll(config)).toEqual([1, 2, 3, 10]);
    for await (const row of readPgRows(config, { table: TABLE, batchSize: 1 })) if (row.product_id === 2) break;
    // pg's end() resolves once the server closed the connection.
    expect(await otherBackends()).toEqual([]);
  });

  it('fails loudly on a read error, and still closes its connection', async () => {
    await expect(readAll(url, { table: 'no_such_table' })).rejects.toThrow(/relation "no_such_table" does not exist/);
    await admin.query(
      `CREATE TABLE check_read_pg_bad (product_id INT, name TEXT, ` +
        `description TEXT, price NUMERIC(10, 3), created_at TIMESTAMP)`,
    );
    try {
      await admin.query(`INSERT INTO check_read_pg_bad VALUES (1, 'a', NULL, 1.5, NULL), (2, 'b', NULL, 1.005, NULL)`);
      await expect(readAll(url, { table: 'check_read_pg_bad', batchSize: 1 })).rejects.toThrow(
        'Postgres row 2: price "1.005" is not a decimal with at most 2 fraction digits',
      );
    } finally {
      await admin.query('DROP TABLE check_read_pg_bad');
    }
    expect(await otherBackends()).toEqual([]);
  });

  it('refuses a table name that is not one', async () => {
    for (const table of ['a.b.c', '', 'public.', '.products', 'a..b']) {
      await expect(readPgRows(url, { table }).next(), table).rejects.toThrow(
        `not a table name: ${JSON.stringify(table)}`,
      );
    }
  });

  it('refuses a batch size that is not a positive integer', async () => {
    for (const batchSize of [0, -1, 1.5, Number.NaN]) {
      await expect(readPgRows(url, { table: TABLE, batchSize }).next()).rejects.toThrow(
        new RangeError('batchSize must be a positive integer'),
      );
    }
    expect(await otherBackends()).toEqual([]);
  });
});
