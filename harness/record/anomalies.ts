import type { Row } from '../model/table.ts';
import type { ProductRow } from './history.ts';

/** One vocabulary for the checker, the reports, the zoo and the docs. */
export const ANOMALY_CLASSES = [
  'missing',
  'zombie',
  'stale',
  'corrupt',
  'duplicate',
  'wrong-id',
  'unexpected-field',
] as const;
export type AnomalyClass = (typeof ANOMALY_CLASSES)[number];

/** A document as read from Elasticsearch: its `_id` and `_source`. */
export interface EsDoc {
  _id: string;
  _source: Record<string, unknown>;
}

export interface Anomaly {
  class: AnomalyClass;
  product_id: number;
  /** A table other than products: the row's key text (rowKey); product_id is then the key if one integer, else -1. */
  key?: string;
  /** The table model's name, in a run over a definition's own tables. */
  table?: string;
  /** The row in Postgres (null when there is none). */
  pg: ProductRow | Row | null;
  /** The document(s) in Elasticsearch for this product_id (empty when there is none). */
  es: EsDoc[];
  /** Why it was classified so, in one sentence (e.g. "equals version 3 of 5 from op #812"). */
  detail: string;
}

/**
 * converged: equal within the budget, and still equal a settle window later; converged-late: the same, after
 * the budget; flapped: equal, then different again (a late overwrite), before settling; diverged: not equal at
 * the deadline.
 */
export type Verdict = 'converged' | 'converged-late' | 'flapped' | 'diverged';

/**
 * A Postgres row, or the absence of one, that the history says cannot be (a product the workload committed is
 * not in the table, or one it deleted is): the check is looking at the wrong table, or something else writes
 * to it. A harness or setup error that fails the run; never a pass.
 */
export interface SetupError {
  product_id: number;
  /** A table other than products: the row's key text (rowKey); product_id is then the key if one integer, else -1. */
  key?: string;
  /** The table model's name, in a run over a definition's own tables. */
  table?: string;
  detail: string;
}

/** Result of one comparison of a Postgres snapshot with an Elasticsearch snapshot. */
export interface Comparison {
  equal: boolean;
  pgRows: number;
  esDocs: number;
  counts: Record<AnomalyClass, number>;
  /** Up to `maxExamples` per class. */
  examples: Record<AnomalyClass, Anomaly[]>;
  /** Postgres disagreeing with the history (count, and up to `maxExamples` examples). */
  setupErrors: { count: number; examples: SetupError[] };
  /** Rows the history's committed effects certainly leave (see rowsLeft): what the comparison can prove. */
  rowsExpected?: number;
  /** Columns captured but not compared (lossy: no normaliser, accepted by the user), as "table.column". */
  notCompared?: string[];
  /** A run over a definition's own tables: each table's part of this comparison (the fields above are totals). */
  tables?: TableComparison[];
}

/** One table's part of a comparison over several tables. */
export interface TableComparison {
  table: string;
  index: string;
  equal: boolean;
  pgRows: number;
  esDocs: number;
  /** The anomaly classes seen in this table, with their counts (none: equal). */
  counts: Partial<Record<AnomalyClass, number>>;
  setupErrors: number;
  rowsExpected?: number;
}

/** A known signature in the evidence, its likely cause, and the config key that fixes it. */
export interface Diagnosis {
  signature: string;
  cause: string;
  fix: string;
  /** The product_ids (or `_id`s) whose documents show the signature. */
  evidence: string[];
}
