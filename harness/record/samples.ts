/** A list no commit order explains (or an older version shown after a newer one), with what shows it. */
export interface AppendWitness {
  table: string;
  key: string;
  shape: 'lost' | 'duplicated' | 'reordered' | 'foreign' | 'malformed' | 'torn' | 'regressed';
  committed: readonly string[];
  /** The list shown (a malformed field: its JSON text); null: no document. */
  observed: readonly string[] | string | null;
  /** For a regression: the newer version shown before, and when. */
  before?: { observed: readonly string[] | null; t: number };
}

/**
 * One line naming a finding, its minimal witness: "ledger 7: lost, committed [t1 t4 t9], shown [t1 t9]"; a long
 * common start is cut to its last two tokens ("[…12 t40 t41 t42]").
 */
export function witnessText(w: AppendWitness): string {
  const shown = w.observed;
  let same = 0;
  if (Array.isArray(shown)) while (same < shown.length && shown[same] === w.committed[same]) same++;
  const cut = same > 3 ? same - 2 : 0;
  const list = (l: readonly string[] | string | null): string =>
    l === null ? 'no document' : typeof l === 'string' ? l : `[${cut ? `…${cut} ` : ''}${l.slice(cut).join(' ')}]`;
  return `${w.table} ${w.key}: ${w.shape}, committed ${list(w.committed)}, shown ${list(shown)}`;
}

/** Time series written to `samples.jsonl`, one object per line. `t` is epoch ms (harness clock). */
export type Sample =
  /** End-to-end lag from the probe: commit-ack of marker `seq` → first seen in an ES search. */
  | { t: number; kind: 'e2e-lag'; seq: number; lagMs: number }
  /** Highest probe sequence visible in ES at `t` and how far behind the newest committed one it is. */
  | { t: number; kind: 'probe'; committedSeq: number; visibleSeq: number; lagMs: number }
  /** A lag-probe marker read from the sink's input topic at `t`; `ts` is the record's Kafka timestamp. */
  | { t: number; kind: 'probe-kafka'; seq: number; ts: number }
  /** Visibility lag of a sampled workload op. */
  /** A sampled op's visibility lag; `table` names a definition's own table (absent: products). */
  | { t: number; kind: 'op-lag'; opSeq: number; lagMs: number; table?: string }
  | { t: number; kind: 'slot-lag'; slot: string; bytes: number; active: boolean }
  | { t: number; kind: 'consumer-lag'; group: string; lag: number; endOffset: number; committed: number }
  | { t: number; kind: 'connector'; name: string; state: string; tasks: string[]; trace?: string }
  /** Workload throughput over the last sampling interval. */
  | { t: number; kind: 'op-rate'; opsPerSec: number }
  /**
   * A watched product shown by a search at an older version after a newer one (1-based history versions). For a
   * definition's own table, `table` and `key` (the row's key text) name the row; product_id is then the key when
   * it is one integer, else -1.
   */
  | {
      t: number;
      kind: 'regression';
      product_id: number;
      table?: string;
      key?: string;
      from: { version: number; seq: number; t: number };
      to: { version: number; seq: number; t: number };
    }
  /**
   * The append check's finding on a row of a table with an append column (check/appends.ts), with its witness:
   * the committed list it was judged against and the list a search showed (null: no document).
   */
  | ({ t: number; kind: 'append' } & AppendWitness)
  /** What the append check looked at: rows with a version, documents judged. */
  | { t: number; kind: 'append-watch'; table: string; column: string; rows: number; observations: number }
  /**
   * The regression watch's coverage so far: products watched (and not), searches attempted (polls) and
   * successful (reads). Runs before coverage was recorded have products and reads only.
   */
  | {
      t: number;
      kind: 'doc-watch';
      products: number;
      reads: number;
      unwatched?: number;
      polls?: number;
      exhaustive?: boolean;
    };

export type SampleKind = Sample['kind'];
