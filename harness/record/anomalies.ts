import type { ProductRow } from './history.ts';

/** One vocabulary for the checker, the reports, the zoo and the docs. */
export const ANOMALY_CLASSES = ['missing', 'zombie', 'stale', 'corrupt', 'duplicate'] as const;
export type AnomalyClass = (typeof ANOMALY_CLASSES)[number];

/** A document as read from Elasticsearch: its `_id` and `_source`. */
export interface EsDoc {
  _id: string;
  _source: Record<string, unknown>;
}

export interface Anomaly {
  class: AnomalyClass;
  product_id: number;
  /** The row in Postgres (null when there is none). */
  pg: ProductRow | null;
  /** The document(s) in Elasticsearch for this product_id (empty when there is none). */
  es: EsDoc[];
  /** Why it was classified so, in one sentence (e.g. "equals version 3 of 5 from op #812"). */
  detail: string;
}

export type Verdict = 'converged' | 'converged-late' | 'diverged';

/** Result of one comparison of a Postgres snapshot with an Elasticsearch snapshot. */
export interface Comparison {
  equal: boolean;
  pgRows: number;
  esDocs: number;
  counts: Record<AnomalyClass, number>;
  /** Up to `maxExamples` per class. */
  examples: Record<AnomalyClass, Anomaly[]>;
}
