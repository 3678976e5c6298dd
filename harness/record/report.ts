import type { Anomaly, AnomalyClass, Diagnosis, SetupError, TableComparison, Verdict } from './anomalies.ts';
import type { OpKind, Outcome } from './history.ts';
import type { AppendWitness } from './samples.ts';
import type { FaultWindow, RunPhase } from './timeline.ts';

/** Latency summary in milliseconds. null fields mean "no samples". */
export interface LagSummary {
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Which Elasticsearch sink the definition asked for, which ran, and the config it ran with. */
export interface SinkRun {
  requested: string;
  ran: string;
  /** Ours ran in place of the requested one, which the worker does not have. */
  substituted: boolean;
  /** Every key of the sink's config: the definition's value, or the default it ran with. */
  effective: Record<string, string>;
  /** Keys the definition set that the sink accepts and ignores. */
  ignored: string[];
}

/** A product a search showed at an older version after it had shown a newer one. */
export interface Regression {
  product_id: number;
  /** A definition's own tables: the row's table and key (product_id is then the key if one integer, else -1). */
  table?: string;
  key?: string;
  /** The newer version seen first, then the older one seen after it (1-based positions in the history). */
  from: { version: number; seq: number; t: number };
  to: { version: number; seq: number; t: number };
}

/**
 * The schema of `report.json` (documented in docs/reports.md). Every renderer (md, html, junit) is a pure
 * function of this object plus `samples.jsonl`, so a run directory can be re-rendered without the stack.
 */
export interface RunReport {
  schemaVersion: 1;
  runId: string;
  scenario: string;
  description: string;
  seed: number;
  workloadHash: string;
  /** The exact command that replays this run. */
  replay: string;
  provider: string;
  connectorsDir: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  verdict: Verdict;
  /** What the scenario expected (a zoo entry expects "diverged"). */
  expectedVerdict: Verdict;
  /** True when the verdict (and, for zoo entries, the anomaly classes) match the expectation. */
  passed: boolean;
  /**
   * Anomaly classes the scenario expects (zoo entries). Optional: when absent, a passing run that expected
   * "diverged" accepts the classes it found. Used by the junit per-class testcases.
   */
  expectedAnomalies?: AnomalyClass[];
  /** ms from the moment the last fault healed and the workload stopped until PG and ES were equal; null if never. */
  timeToConvergenceMs: number | null;
  budget: { convergenceMs: number; lagP99Ms: number | null; settleMs?: number };
  lag: {
    /** End-to-end lag from the probe (commit-ack → visible in a search). */
    e2e: LagSummary;
    /** Visibility lag of sampled workload ops. */
    ops: LagSummary;
    /** End-to-end lag outside fault windows: what the lagP99 budget is judged on. */
    steady?: LagSummary;
  } & LagSummary;
  anomalies: {
    counts: Record<AnomalyClass, number>;
    examples: Record<AnomalyClass, Anomaly[]>;
  };
  /** Columns captured but not compared (lossy: no normaliser, accepted by the user), as "table.column". */
  notCompared?: string[];
  /** Postgres disagreeing with the history: a harness or setup error; any makes the run fail. */
  setupErrors?: { count: number; examples: SetupError[] };
  /** Times the stores were equal and then differed again (verdict `flapped`), with what differed. */
  flaps?: { equalAtMs: number; differedAtMs: number; counts: Record<AnomalyClass, number> }[];
  /** What search users saw on the way: a sampled product shown at an older version after a newer one. */
  regressions?: {
    count: number;
    sampledProducts: number;
    examples: Regression[];
    /** Products the workload wrote that were not watched; searches attempted and successful; the mode. */
    unwatched?: number;
    polls?: number;
    searches?: number;
    exhaustive?: boolean;
    /** The watch could not look (no product watched, or no successful search): "none" is no evidence. */
    unjudged?: boolean;
  };
  /**
   * The exact check of update order on a table with an append column (docs/append-check.md): what it judged,
   * and each row it caught (its first finding) with the witness.
   */
  appends?: {
    table: string;
    column: string;
    rows: number;
    observations: number;
    count: number;
    byShape: Partial<Record<AppendWitness['shape'], number>>;
    examples: (AppendWitness & { t: number })[];
  }[];
  /** The replication slot's largest lag behind the WAL over the run, and when (absent: no sample). */
  slotLag?: { maxBytes: number; t: number };
  /** What the run could prove: rows the history's committed effects leave, and the scenario's minimum. */
  evidence?: { rowsExpected: number; minRows: number };
  /** The expectation the run was judged by (so a re-check re-judges it without the scenario file). */
  expectation?: {
    verdict: Verdict;
    anomalies: AnomalyClass[];
    regressions: 'none' | 'some' | 'any';
    lagP99Ms: number | null;
    minRows: number;
    failedTask?: 'source' | 'sink';
    /** The bound on the slot's largest lag, in MB. */
    slotLagMb?: { max: number } | { min: number };
    /** Records sent twice on the sink's topics: none (exactly-once, or a clean stop), or some (a hard kill bit). */
    duplicates?: 'none' | 'some';
    /** Document fields beyond the compared columns the scenario expects (not unexpected-field). */
    fields?: string[];
    connectorNames: { source: string; sink: string };
  };
  /** Successful equal snapshots across the settle window (the first equal one included). */
  settleSnapshots?: number;
  /**
   * Faults that left no evidence that they took effect (docs/fault-evidence.md): the run is vacuous and fails,
   * whatever the stores showed. Absent when every fault proved it bit (or there was none).
   */
  vacuous?: { id: string; fault: string; target: string; missing: { sign: string; how: string }[] }[];
  /** Why the warm-up failed (the probe's first marker never became searchable); absent when it did not. */
  warmUpFailure?: string;
  sink?: SinkRun;
  /** Likely causes of what was found, each with the config key that fixes it. */
  diagnoses?: Diagnosis[];
  /** The sink's dead-letter queue, when it has one: records there never reached Elasticsearch. */
  deadLetterQueue?: { topic: string; records: number | null };
  /** Records the sink's topics held twice, as its consumer reads them (null: they could not be read). */
  topicDuplicates?: TopicDuplicates | null;
  /** Connect worker settings that differ from stock Kafka, with why (absent on an environment not the harness's). */
  workerNonStock?: { key: string; value: string; stock: string; why?: string }[];
  ops: {
    total: number;
    byKind: Record<OpKind, number>;
    byOutcome: Record<Outcome, number>;
    ratePerSec: number;
  };
  /** Pipeline throughput, commit → searchable, events/s (null when not measured). */
  throughput: number | null;
  timeline: FaultWindow[];
  operatorActions: { t: number; action: string; reason: string }[];
  /** Final connector/task states, with traces of failed tasks. */
  connectors: { name: string; state: string; tasks: { id: number; state: string; trace?: string }[] }[];
  versions: Record<string, string>;
  /** Sizes at the final check. */
  final: { pgRows: number; esDocs: number };
  /** A definition's own tables: each table's rows, documents and anomalies at the final check (totals above). */
  tables?: TableComparison[];
  /** Set when the run was cut short before its check (Ctrl-C, SIGTERM, a service gone): why, and in which phase. */
  interrupted?: { reason: string; during: RunPhase };
  /** Free-form messages a human should read first (e.g. "sink task FAILED at 12:00:03"). */
  notes: string[];
}

/** What the sink's topics held twice: records with one key and one source position (LSN) seen more than once. */
export interface TopicDuplicates {
  topics: string[];
  /** How they were read: as the sink's consumer reads them. */
  isolation: 'read_committed' | 'read_uncommitted';
  records: number;
  /** Records whose key, LSN and kind (change or tombstone) an earlier record already had. */
  duplicates: number;
  /** Records with no LSN to tell them by (neither the `__lsn` header nor a Debezium envelope's source.lsn). */
  unidentified: number;
  /** A few of them, as `topic key @ lsn`. */
  examples: string[];
}
