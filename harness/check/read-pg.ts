import pg from 'pg';
import { quoteIdent } from '../model/codecs.ts';
import { PRODUCTS } from '../model/products.ts';
import type { Row, TableModel } from '../model/table.ts';
import type { ProductRow } from '../record/history.ts';
import { compareKeys, keyOrderOf } from './keys.ts';
import { normalisePgRow, normaliseSource } from './normalise.ts';

export interface PgReadOptions {
  /** Table to read, optionally schema-qualified ("public.products"). Default: the model's name. */
  table?: string;
  /** The table's model (default products): the columns selected, normalised and ordered by. */
  model?: TableModel;
  /** Rows per FETCH. Default 10 000. */
  batchSize?: number;
}

/** A connection string, a node-postgres config (a connection is opened and closed), or a client to borrow. */
export type PgConnection = string | pg.ClientConfig | pg.ClientBase;

/**
 * Streams the table ordered by product_id, normalised to ProductRow, from one consistent snapshot: a server-side
 * cursor inside a REPEATABLE READ, READ ONLY transaction, fetched in batches so a million rows never sit in
 * memory at once. The transaction is rolled back (nothing to commit) when the stream ends, fails, or is
 * abandoned by the consumer (`return()` runs the `finally`).
 *
 * created_at is read as floor(epoch × 1000) of the wall clock as UTC (extract(epoch) of a timestamp without
 * time zone reads it as UTC), floored like every other timestamp form in normalise.ts; price as its NUMERIC
 * text, which already has exactly two fraction digits.
 */
export async function* readPgRows(connection: PgConnection, options: PgReadOptions = {}): AsyncGenerator<ProductRow> {
  const model = options.model ?? PRODUCTS;
  if (model !== PRODUCTS) {
    yield* readTableRows(connection, model, options) as AsyncGenerator<ProductRow>;
    return;
  }
  const table = quoteTable(options.table ?? 'products');
  const batchSize = options.batchSize ?? 10_000;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`batchSize must be a positive integer`);

  const { client, owned } = await readerClient(connection);
  let open = false;
  let pending: Promise<pg.QueryResult<unknown[]>> | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
    await client.query(
      `DECLARE outbox_chaos_snapshot NO SCROLL CURSOR FOR
         SELECT product_id, name, description, price::text,
                floor(extract(epoch FROM created_at) * 1000)::bigint
           FROM ${table}
          ORDER BY product_id`,
    );
    const fetch = { text: `FETCH ${batchSize} FROM outbox_chaos_snapshot`, rowMode: 'array' as const };
    // One FETCH always in flight: Postgres produces the next batch while this one is normalised and consumed.
    // Array rows: no per-row object keyed by column name that would be thrown away immediately.
    let batch = client.query<unknown[]>(fetch);
    pending = batch;
    batch.catch(() => undefined);
    for (;;) {
      const result = await batch;
      pending = undefined;
      const more = result.rows.length === batchSize;
      if (more) {
        pending = batch = client.query<unknown[]>(fetch);
        // Handled now, rethrown by the await above: it may fail while the consumer holds us at a yield.
        batch.catch(() => undefined);
      }
      for (const [product_id, name, description, price, created_at] of result.rows) {
        yield normalisePgRow({ product_id, name, description, price, created_at });
      }
      if (!more) break;
    }
  } finally {
    // A consumer that stopped early leaves a FETCH in flight: let it settle before ROLLBACK. A failed ROLLBACK
    // (connection gone) must not mask the error that got us here.
    await pending?.catch(() => undefined);
    if (open) await client.query('ROLLBACK').catch(() => undefined);
    if (owned) await (client as pg.Client).end().catch(() => undefined);
  }
}

/**
 * Quotes a possibly schema-qualified table name as identifiers, so the name is never parsed as SQL. Quoted
 * identifiers are case-sensitive: pass the name as Postgres stores it (lower case unless created quoted).
 */
function quoteTable(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || parts.some((p) => p.length === 0))
    throw new Error(`not a table name: ${JSON.stringify(name)}`);
  return parts.map((p) => `"${p.replaceAll('"', '""')}"`).join('.');
}

/**
 * The SELECT of a table's snapshot: every compared column in table order, timestamps as epoch-ms digits (floored,
 * as products' created_at), integers and floats as node-postgres parses them, everything else as its text form,
 * which each column's codec reads (model/codecs.ts). Ordered by the key; a key that is not one integer is sorted
 * again in JS (readTableRows), so the order is the join's own, not the database's collation.
 */
export function snapshotSelect(model: TableModel, table = model.name): { sql: string; columns: string[] } {
  const selected = snapshotExpressions(model);
  const order = model.key.map(quoteIdent).join(', ');
  const exprs = selected.map((s) => s.expr).join(', ');
  return { sql: `SELECT ${exprs} FROM ${quoteTable(table)} ORDER BY ${order}`, columns: selected.map((s) => s.name) };
}

/** The compared columns in table order, each with the expression snapshotSelect reads it by. */
export function snapshotExpressions(model: TableModel): { name: string; expr: string }[] {
  return model.columns
    .filter((c) => c.lossy === undefined)
    .map((c) => {
      const q = quoteIdent(c.name);
      switch (c.type.kind) {
        case 'timestamp':
        case 'timestamptz':
          return { name: c.name, expr: `floor(extract(epoch FROM ${q}) * 1000)::bigint` };
        case 'int2':
        case 'int4':
        case 'int8':
        case 'float4':
        case 'float8':
        case 'bool': // bool::text is 'true'/'false'; node-postgres parses the column itself to a boolean
          return { name: c.name, expr: q };
        default:
          return { name: c.name, expr: `${q}::text` };
      }
    });
}

/**
 * Any table's rows, normalised by its model, in the join's key order. A key that is not one integer is sorted in
 * JS, which holds the whole table in memory (the products path streams; a streaming order for text keys would
 * need the database to sort by UTF-16 code units).
 */
async function* readTableRows(
  connection: PgConnection,
  model: TableModel,
  options: PgReadOptions,
): AsyncGenerator<Row> {
  const order = keyOrderOf(model);
  const { sql, columns } = snapshotSelect(model, options.table);
  const { client, owned } = await readerClient(connection);
  let open = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
    const result = await client.query<unknown[]>({ text: sql, rowMode: 'array' });
    const rows = result.rows.map((values) => {
      const raw: Record<string, unknown> = {};
      columns.forEach((name, i) => (raw[name] = values[i]));
      const r = normaliseSource<Row>(raw, undefined, model);
      if (!r.ok) throw new Error(`Postgres row of ${model.name}: ${r.field} ${JSON.stringify(r.value)} is ${r.reason}`);
      return r.row;
    });
    if (!order.numeric) rows.sort((a, b) => compareKeys(order.ofRow(a), order.ofRow(b)));
    yield* rows;
  } finally {
    if (open) await client.query('ROLLBACK').catch(() => undefined);
    if (owned) await (client as pg.Client).end().catch(() => undefined);
  }
}

/**
 * The client to read with: the caller's, or one of our own (owned: the reader ends it). A connection lost
 * between queries is reported as an 'error' event, fatal when nobody listens; the next query fails with it anyway.
 */
async function readerClient(connection: PgConnection): Promise<{ client: pg.ClientBase; owned: boolean }> {
  const owned = typeof connection === 'string' || !('query' in connection);
  const client: pg.ClientBase = owned
    ? new pg.Client(connection as string | pg.ClientConfig)
    : (connection as pg.ClientBase);
  if (owned) {
    client.on('error', () => undefined);
    await client.connect();
  }
  return { client, owned };
}
