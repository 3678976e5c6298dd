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
import type { Column, Row } from '../model/table.ts';
import { readPgRows, snapshotExpressions, type PgConnection, type PgReadOptions } from './read-pg.ts';
import { column as col, tableModel as model } from '../../test/fixtures/tables.ts';

const { skip, title } = throwawayPgSuite('readPgRows');

/** A text key (sorted by the database's "C" collation, i.e. by UTF-8 bytes), an int4 and a timestamp. */
const TAGS = model(
  'check_read_pg_tags',
  ['tag'],
  [col('tag', { kind: 'text' }, false), col('n', { kind: 'int4' }), col('at', { kind: 'timestamp', precision: null })],
);
const EVENTS = model(
  'check_read_pg_events',
  ['id'],
  [col('id', { kind: 'int8' }, false), col('note', { kind: 'text' })],
);

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

  describe('a table other than products', () => {
    async function rowsOf(connection: PgConnection, options: PgReadOptions): Promise<Row[]> {
      const rows: Row[] = [];
      for await (const row of readPgRows(connection, options)) rows.push(row);
      return rows;
    }

    beforeAll(async () => {
      await admin.query(`CREATE TABLE ${TAGS.name} (tag TEXT COLLATE "C" PRIMARY KEY, n INT4, at TIMESTAMP)`);
      await admin.query(
        `INSERT INTO ${TAGS.name} VALUES ('\uff4a', 1, '2024-05-01 10:20:30.123999'), ` +
          `('\u{1F600}', 2, NULL), ('a', NULL, NULL)`,
      );
      await admin.query(`CREATE TABLE ${EVENTS.name} (id INT8 PRIMARY KEY, note TEXT)`);
      await admin.query(`INSERT INTO ${EVENTS.name} VALUES (10, 'ten'), (9, NULL), (2, 'two')`);
    });

    it('reads its compared columns, normalised, a text key in UTF-16 order, not the database’s', async () => {
      expect(await rowsOf(url, { model: TAGS })).toEqual([
        { tag: 'a', n: null, at: null },
        { tag: '\u{1F600}', n: 2, at: null },
        { tag: '\uff4a', n: 1, at: Date.UTC(2024, 4, 1, 10, 20, 30, 123) },
      ]);
      expect(await rowsOf(url, { model: EVENTS })).toEqual([
        { id: 2, note: 'two' },
        { id: 9, note: null },
        { id: 10, note: 'ten' },
      ]);
      expect(await otherBackends()).toEqual([]);
    });

    it('reads the table it is given in place of the model’s name', async () => {
      const rows = await rowsOf(url, { model: { ...EVENTS, name: 'elsewhere' }, table: EVENTS.name });
      expect(rows.map((r) => r['id'])).toEqual([2, 9, 10]);
    });

    it('refuses a row its model cannot read, naming the table, the column and the value', async () => {
      const wrong = model(TAGS.name, ['tag'], [col('tag', { kind: 'text' }, false), col('n', { kind: 'bool' })]);
      await expect(rowsOf(url, { model: wrong })).rejects.toThrow(`Postgres row of ${TAGS.name}: n 1 is `);
      expect(await otherBackends()).toEqual([]);
    });

    it('ends its transaction on a borrowed client, and leaves one in a failed transaction as it found it', async () => {
      const borrowed = new pg.Client(url);
      await borrowed.connect();
      try {
        for await (const row of readPgRows(borrowed, { model: EVENTS })) if ((row as Row)['id'] === 2) break;
        expect((await otherBackends()).map((b) => b.state)).toEqual(['idle']);
        await borrowed.query('BEGIN');
        await borrowed.query('SELECT 1 / 0').catch(() => undefined);
        await expect(rowsOf(borrowed, { model: EVENTS })).rejects.toThrow(/current transaction is aborted/);
        await expect(borrowed.query('SELECT 1')).rejects.toThrow(/current transaction is aborted/);
        await borrowed.query('ROLLBACK');
        expect(await rowsOf(borrowed, { model: EVENTS })).toHaveLength(3);
      } finally {
        await borrowed.end();
      }
    });
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

describe('snapshotExpressions', () => {
  it('reads timestamps as epoch milliseconds, numbers and booleans as they are, everything else as text', () => {
    const kinds: Column['type'][] = [
      { kind: 'timestamp', precision: null },
      { kind: 'timestamptz', precision: 3 },
      { kind: 'int2' },
      { kind: 'int4' },
      { kind: 'int8' },
      { kind: 'float4' },
      { kind: 'float8' },
      { kind: 'bool' },
      { kind: 'numeric', precision: 10, scale: 2 },
      { kind: 'date' },
    ];
    const columns = kinds.map((type, i) => col(`c${i}`, type));
    const lossy = { ...col('lossy', { kind: 'text' }), lossy: 'not compared' } as Column;
    expect(snapshotExpressions(model('t', ['c2'], [...columns, lossy]))).toEqual([
      { name: 'c0', expr: 'floor(extract(epoch FROM "c0") * 1000)::bigint' },
      { name: 'c1', expr: 'floor(extract(epoch FROM "c1") * 1000)::bigint' },
      { name: 'c2', expr: '"c2"' },
      { name: 'c3', expr: '"c3"' },
      { name: 'c4', expr: '"c4"' },
      { name: 'c5', expr: '"c5"' },
      { name: 'c6', expr: '"c6"' },
      { name: 'c7', expr: '"c7"' },
      { name: 'c8', expr: '"c8"::text' },
      { name: 'c9', expr: '"c9"::text' },
    ]);
  });
});
