/**
 * Operations of the table workload: writes to any captured table, named by the row's key. Like products' ops
 * (../ops.ts) they carry real keys the generator assigned, so the same seed means the same rows in every run.
 */
import type { OpMeta } from '../ops.ts';

/**
 * A value as node-postgres binds it; every statement casts its parameter to the column's type ($1::numeric(12,4)),
 * so text forms ('{a,NULL}', '\x00ff', '2024-03-31T02:30:00+02:00') are read by Postgres itself.
 */
export type SqlParam = string | number | boolean | null;

/** One statement's worth of work on one row; `key` is the row's rowKey text (model/table.ts). */
export type TableStep =
  | { kind: 'insert' | 'reinsert'; table: string; key: string; values: Record<string, SqlParam> }
  | {
      kind: 'update';
      table: string;
      key: string;
      where: Record<string, SqlParam>;
      /** Non-empty; never a key column. */
      set: Record<string, SqlParam>;
    }
  | { kind: 'delete'; table: string; key: string; where: Record<string, SqlParam> };

/** A top-level operation: one step, or a transaction of steps on rows of one shard. */
export type TableOp = OpMeta & (TableStep | { kind: 'txn'; steps: TableStep[] });

/** The steps an op runs, in order. */
export function tableStepsOf(op: TableOp): TableStep[] {
  return op.kind === 'txn' ? op.steps : [op];
}
