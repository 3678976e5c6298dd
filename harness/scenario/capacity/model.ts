import type { Hop, StepJudgement } from './judge.ts';

/** One step of the search: a full run of the baseline workload at the offered rate, and its judgement. */
export interface CapacityStep {
  rate: number;
  concurrency: number;
  runDir: string;
  verdict: string;
  judgement: StepJudgement;
  /**
   * Cores each program used while the workload ran (CPU seconds per second; cpu.ts), the harness's own
   * process among them; null when not measured. Absent in records written before it was measured.
   */
  cores?: Record<string, number> | null;
}

/** The schema of capacity.json. */
export interface CapacityRecord {
  schemaVersion: 1;
  startedAt: string;
  finishedAt: string;
  provider: string;
  /** The programs' versions the search ran on (what two searches on different versions differ by). */
  versions?: Record<string, string>;
  connectorsDir: string;
  scenario: string;
  seed: number;
  stepMs: number;
  lagBudgetMs: number;
  plan: { from: number; max: number; bisections: number };
  steps: CapacityStep[];
  /** The highest sustained rate below the lowest failed one; null when even the first step failed. */
  sustained: { rate: number; p50: number | null; p99: number | null } | null;
  /** The lowest rate that was not sustained, and the hop that gave out first there; null when none failed. */
  limit: { rate: number; hop: Hop; reasons: string[] } | null;
  /** Whether the per-hop split was measured, and if not why. */
  hopSplit: { measured: boolean; note?: string };
  /** The search was cut short (Ctrl-C). */
  interrupted?: boolean;
}

export const HOP_WORDS: Record<Hop, string> = {
  workload: 'the workload (Postgres / the driver) gave out first',
  source: 'the source gave out first (Postgres → Debezium → Kafka)',
  sink: 'the sink gave out first (Kafka → sink → Elasticsearch)',
  latency: 'the end-to-end latency went over budget first',
};

/** The one-line result, e.g. "sustained 1600 ops/s (...); at 3200 the sink gave out first: ...". */
export function resultLine(r: Pick<CapacityRecord, 'sustained' | 'limit' | 'plan'>): string {
  const ms = (v: number | null) => (v === null ? '—' : `${v} ms`);
  const head = r.sustained
    ? `sustained ${r.sustained.rate} ops/s (lag p50 ${ms(r.sustained.p50)}, p99 ${ms(r.sustained.p99)})`
    : `not sustained even at ${r.plan.from} ops/s`;
  if (!r.limit) return `${head}; nothing gave out up to --max ${r.plan.max}`;
  return `${head}; at ${r.limit.rate} ${HOP_WORDS[r.limit.hop]}: ${r.limit.reasons.join('; ')}`;
}
