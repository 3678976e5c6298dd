/**
 * Before the first op: make sure the table is there, that the workload's id range is empty, and that the
 * SERIAL sequence is past the range (so a default-id insert by anyone else can never take a workload id).
 * A database that is down is waited for (bounded by `stop`); a database that answers with an error is a
 * configuration problem and throws.
 */
import pg from 'pg';
import type { TableModel } from '../model/table.ts';
import { quoteTable } from '../stack/pg.ts';
import { errorText, isRollbackError } from './outcome.ts';
import type { IdRange } from './profile.ts';
import type { DriverStats } from './stats.ts';
import { sleep } from './token-bucket.ts';

export interface PreparedTable {
  /** The SERIAL sequence (null when product_id has none, e.g. a plain integer key). */
  sequence: string | null;
  /** Rows already inside the workload id range (0 unless allowExistingRows). */
  existingRows: number;
}

export interface PrepareOptions {
  pgUrl: string;
  table: string;
  /** The table workload's tables (then `table` only names them in errors): each must be empty. */
  models?: readonly TableModel[];
  ids: IdRange;
  allowExistingRows: boolean;
  connectTimeoutMs: number;
  stop: AbortSignal;
  stats: DriverStats;
}

/** Returns null when `stop` fired before the database could be reached. */
export async function prepareTable(o: PrepareOptions): Promise<PreparedTable | null> {
  for (let attempt = 0; !o.stop.aborted; attempt++) {
    const c = new pg.Client({
      connectionString: o.pgUrl,
      application_name: 'outbox-chaos-workload-setup',
      connectionTimeoutMillis: o.connectTimeoutMs,
    });
    c.on('error', () => undefined); // surfaced through the rejected query instead
    try {
      await c.connect();
      return o.models ? await prepareModels(c, o, o.models) : await prepare(c, o);
    } catch (e) {
      if (isRollbackError(e)) throw new Error(`workload setup on ${o.table} failed: ${errorText(e)}`);
      if (e instanceof SetupError) throw e;
      o.stats.connectFailures++;
      o.stats.error(`setup: ${errorText(e)}`);
      await sleep(Math.min(2_000, 50 * 2 ** Math.min(attempt, 10)), o.stop);
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  return null;
}

class SetupError extends Error {}

async function prepare(c: pg.Client, o: PrepareOptions): Promise<PreparedTable> {
  const t = quoteTable(o.table);
  const end = o.ids.base + o.ids.span; // exclusive
  const seqRes = await c.query<{ seq: string | null }>(`SELECT pg_get_serial_sequence($1, 'product_id') AS seq`, [t]);
  const sequence = seqRes.rows[0]?.seq ?? null;
  const countRes = await c.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${t} WHERE product_id >= $1 AND product_id < $2`,
    [o.ids.base, end],
  );
  const existingRows = countRes.rows[0]?.n ?? 0;
  if (existingRows > 0 && !o.allowExistingRows) {
    throw new SetupError(
      `${o.table} already holds ${existingRows} row(s) with product_id in the workload range [${o.ids.base}, ${end}) ` +
        `(a previous run?): reset the table first, or move profile.ids.base`,
    );
  }
  if (sequence) {
    // Only ever forward: the sequence may already be past the range.
    await c.query(
      `SELECT setval($1::regclass, GREATEST(COALESCE(pg_sequence_last_value($1::regclass), 0), $2::bigint))`,
      [sequence, end - 1],
    );
  }
  return { sequence, existingRows };
}

/**
 * The table workload assigns keys it believes unused: a table that already holds rows could collide with them
 * (or hold children of rows the workload deletes), so each must be empty unless allowExistingRows. A one-column
 * key with a sequence gets it moved past the id range, as products'.
 */
async function prepareModels(c: pg.Client, o: PrepareOptions, models: readonly TableModel[]): Promise<PreparedTable> {
  let existingRows = 0;
  let sequence: string | null = null;
  for (const m of models) {
    const t = quoteTable(m.name);
    const n = (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0]?.n ?? 0;
    if (n > 0 && !o.allowExistingRows)
      throw new SetupError(
        `${m.name} already holds ${n} row(s) (a previous run?): the table workload starts on empty tables; ` +
          'empty them first (TRUNCATE ... CASCADE), or allow existing rows',
      );
    existingRows += n;
    if (m.key.length !== 1) continue;
    const seq = (await c.query<{ seq: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS seq', [t, m.key[0]]))
      .rows[0]?.seq;
    if (!seq) continue;
    sequence ??= seq;
    await c.query(
      `SELECT setval($1::regclass, GREATEST(COALESCE(pg_sequence_last_value($1::regclass), 0), $2::bigint))`,
      [seq, o.ids.base + o.ids.span - 1],
    );
  }
  return { sequence, existingRows };
}
