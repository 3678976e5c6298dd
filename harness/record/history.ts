/**
 * The recorded history of a run: every operation the workload applied to Postgres, one JSON object per line
 * in `history.jsonl`. The checker reads only this (plus the two snapshots), so it must carry the full
 * post-state of every row an operation touched: updates are partial, but the checker compares whole rows.
 */

import type { ProductRow } from '../model/products.ts';
import type { Row } from '../model/table.ts';

/** A product row as committed in Postgres, normalised: the products table model's keyed row (harness/model/). */
export type { ProductRow };

export type OpKind = 'insert' | 'update' | 'delete' | 'reinsert' | 'txn';

/**
 * ok: the commit was acknowledged. failed: the statement or commit was rejected, nothing changed.
 * unknown: the connection broke before the acknowledgement arrived; it may or may not have committed.
 */
export type Outcome = 'ok' | 'failed' | 'unknown';

/** One row-level effect inside an operation: the row's state after it, or null when it was deleted. */
export interface Effect<R extends Row = ProductRow> {
  product_id: number;
  /**
   * For a table other than products: the row's key as rowKey gives it ("42", a uuid, '[42,"eu"]'); product_id is
   * then the key when it is one integer, else -1.
   */
  key?: string;
  /** The table model's name (e.g. "orders") when the history holds more than one table; absent: products. */
  table?: string;
  /** State after the statement (from RETURNING); null for a delete. */
  after: R | null;
}

/** An operation; rows of products unless the table is named (HistoryEntry<Row> for any table). */
export interface HistoryEntry<R extends Row = ProductRow> {
  /** Position in the history, 0-based, unique per run. */
  seq: number;
  kind: OpKind;
  /** Worker (connection) that issued it; ops of one worker are sequential. */
  worker: number;
  /** What was asked, for humans and replays (e.g. which fields an update touched). */
  request: unknown;
  /** Row effects in commit order. For failed ops this is empty; for unknown ops it holds what was intended. */
  effects: Effect<R>[];
  /** Client clock (Date.now()) when the op was sent, and when the commit was acknowledged (or the error seen). */
  sendMs: number;
  ackMs: number;
  outcome: Outcome;
  error?: string;
  /**
   * Added by the workload driver. Entries with the same `batch` were applied in one Postgres transaction
   * (profile.batch > 1), so they share sendMs, ackMs and outcome.
   */
  batch?: number;
  /** Rows each statement of the op affected, in request order (ok ops only); 0 marks a no-op statement. */
  rowCounts?: number[];
}
