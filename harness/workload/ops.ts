/**
 * Operations the generator produces and the driver applies. They name real product_ids: the generator owns an
 * id range and assigns ids itself (see generate.ts for why), so an op means the same thing in every run.
 */

/** The values of a product the workload writes (product_id and created_at are not among them). */
export interface ProductValues {
  name: string;
  description: string | null;
  /** Two-decimal string, e.g. "0.00", "99999999.99". */
  price: string;
}

/** A non-empty subset of the columns to set. */
export type UpdateSet = Partial<ProductValues>;

/** One statement's worth of work. `reinsert` inserts an explicit product_id that was deleted earlier. */
export type Step =
  | { kind: 'insert'; product_id: number; values: ProductValues }
  | { kind: 'reinsert'; product_id: number; values: ProductValues }
  | { kind: 'update'; product_id: number; set: UpdateSet }
  | { kind: 'delete'; product_id: number };

export interface OpMeta {
  /** Position in the generated stream, 0-based. */
  n: number;
  /** Shard of every id the op touches; decides which worker runs it (shard % concurrency). */
  shard: number;
  /** Set on the updates of a hot-key burst: the burst's number. */
  burst?: number;
}

/** A top-level operation: one step, or a txn of 2–5 steps on one shard, applied in one transaction. */
export type Op = OpMeta & (Step | { kind: 'txn'; steps: Step[] });

/** The steps an op runs, in order. */
export function stepsOf(op: Op): Step[] {
  return op.kind === 'txn' ? op.steps : [op];
}
