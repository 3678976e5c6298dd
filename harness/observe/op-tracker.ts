import type { IndexReading } from '../check/mapping.ts';
import type { Row, TableModel } from '../model/table.ts';
import type { Effect, HistoryEntry, ProductRow } from '../record/history.ts';
import type { Sample } from '../record/samples.ts';
import { docMatches, sourceShows } from './doc-match.ts';
import { effectDocIds, normalisedAfter } from './watched-table.ts';

export interface OpTrackerOptions {
  /** Keep 1 in N ops. Default 20. */
  sampleEvery?: number;
  /** Pending ops at most; further samples are skipped until some resolve. Default 200. */
  maxPending?: number;
  /** A pending op older than this is given up on (a diverged pipeline never shows it). Default 10 min. */
  maxAgeMs?: number;
  /**
   * A definition's own table instead of products: only its effects are tracked (by their key text, the
   * document's _id), and documents are read through `reading` (the index's mapping, as the checker reads them).
   */
  table?: { model: TableModel; reading: () => IndexReading };
}

/** How a tracker tells one table's effects and documents: products', or a definition's own table's. */
interface OpSide {
  /** The effect's document id; undefined: another table's effect. */
  docId(e: Effect<Row>): string | undefined;
  /** The post-state a document must show (null: none), or undefined when it cannot be read. */
  post(after: Row | null): Row | null | undefined;
  matches(source: Readonly<Record<string, unknown>> | undefined, after: Row | null): boolean;
}

const PRODUCTS_SIDE: OpSide = {
  docId: (e) => String(e.product_id),
  post: (after) => after,
  matches: (source, after) => docMatches(source, after as ProductRow | null),
};

function tableSide(model: TableModel, reading: () => IndexReading): OpSide {
  return {
    docId: effectDocIds(model),
    post: (after) => (after === null ? null : normalisedAfter(model, after)),
    matches: (source, after) => sourceShows(source, after, reading()),
  };
}

export interface OpTrackerStats {
  /** Ops taken into tracking. */
  tracked: number;
  /** Tracked ops seen in a search (one op-lag sample each). */
  seen: number;
  /** Dropped because a later op touched one of the same products before they were seen. */
  superseded: number;
  /**
   * Dropped because visibility could not be told: the first search already showed the post-state (a no-op
   * update, a delete of an absent row), or another op on the product was in flight (commit order unknown).
   */
  ambiguous: number;
  expired: number;
  /** Sampled ops not tracked because maxPending were pending. */
  skippedFull: number;
  /** Still pending (at stop: never seen). */
  pending: number;
}

interface PendingOp {
  opSeq: number;
  ackMs: number;
  /** Expected post-state per doc id (String(product_id), or the key text); the last effect on a row wins. */
  expect: Map<string, Row | null>;
  /** Seen in a state other than the expected one at least once. */
  differed: boolean;
  /** Searches started before this op was tracked cannot tell anything about it. */
  epoch: number;
}

/** A search in flight: the ids asked for, and when (in tracker epochs) it was started. */
export interface OpSearch {
  ids: string[];
  epoch: number;
}

/**
 * Which sampled workload ops have become visible in Elasticsearch, free of I/O. Feed it every ok op (in ack
 * order) so it knows when a tracked op was overwritten; feed it each batched search result.
 */
export class OpTracker {
  private readonly every: number;
  private readonly maxPending: number;
  private readonly maxAgeMs: number;
  private readonly side: OpSide;
  /** Named in each sample: a definition's own table (absent: products). */
  private readonly tableName: string | undefined;
  private okCount = 0;
  private epoch = 0;
  private readonly pending = new Set<PendingOp>();
  /** Pending op per doc id; at most one, since a newer op on an id drops the older. */
  private readonly byId = new Map<string, PendingOp>();
  /** Latest ack per doc id of any op, to tell overlapping ops on one product apart from ordered ones. */
  private readonly lastAck = new Map<string, number>();
  private readonly counts = { tracked: 0, seen: 0, superseded: 0, ambiguous: 0, expired: 0, skippedFull: 0 };

  constructor(opts: OpTrackerOptions = {}) {
    this.every = Math.max(1, opts.sampleEvery ?? 20);
    this.maxPending = opts.maxPending ?? 200;
    this.maxAgeMs = opts.maxAgeMs ?? 600_000;
    this.side = opts.table ? tableSide(opts.table.model, opts.table.reading) : PRODUCTS_SIDE;
    this.tableName = opts.table?.model.name;
  }

  /**
   * Takes note of an op. Any op with effects (an `unknown` one may have committed too) supersedes pending ops
   * on its products; only `ok` ops are sampled. Effects of another table are ignored.
   */
  track(entry: HistoryEntry<Row>): void {
    const side = this.side;
    const ids = new Set<string>();
    for (const e of entry.effects) {
      const id = side.docId(e);
      if (id !== undefined) ids.add(id);
    }
    // Another op on the same product acknowledged after this one was sent: the two overlapped, and which
    // committed last (which state stays) is unknown.
    let overlapped = false;
    for (const id of ids) if ((this.lastAck.get(id) ?? Number.NEGATIVE_INFINITY) > entry.sendMs) overlapped = true;
    for (const id of ids) {
      const older = this.byId.get(id);
      if (older) {
        this.remove(older);
        this.counts.superseded++;
      }
      this.lastAck.set(id, Math.max(this.lastAck.get(id) ?? Number.NEGATIVE_INFINITY, entry.ackMs));
    }
    this.pruneAcks(entry.ackMs);
    if (entry.outcome !== 'ok' || ids.size === 0) return;
    if (++this.okCount % this.every !== 0) return;
    if (overlapped) {
      this.counts.ambiguous++;
      return;
    }
    if (this.pending.size >= this.maxPending) {
      this.counts.skippedFull++;
      return;
    }
    const expect = new Map<string, Row | null>();
    for (const e of entry.effects) {
      const id = side.docId(e);
      if (id === undefined) continue;
      const after = side.post(e.after);
      if (after === undefined) {
        // A post-state the checker could not read either: when it shows cannot be told.
        this.counts.ambiguous++;
        return;
      }
      expect.set(id, after);
    }
    const op: PendingOp = { opSeq: entry.seq, ackMs: entry.ackMs, expect, differed: false, epoch: this.epoch };
    this.pending.add(op);
    for (const id of expect.keys()) this.byId.set(id, op);
    this.counts.tracked++;
  }

  /** Starts a search: the doc ids to ask for (none: skip the search). */
  beginSearch(): OpSearch {
    return { ids: [...this.byId.keys()], epoch: ++this.epoch };
  }

  /**
   * The result of a search: `docs` holds the found documents' _source by _id (absent = no document). Ops
   * tracked after the search began wait for the next one.
   */
  observe(search: OpSearch, docs: ReadonlyMap<string, Readonly<Record<string, unknown>>>, seenAt: number): Sample[] {
    const out: Sample[] = [];
    for (const op of [...this.pending]) {
      if (op.epoch >= search.epoch) continue;
      const matches = [...op.expect].every(([id, after]) => this.side.matches(docs.get(id), after));
      if (!matches) {
        op.differed = true;
      } else if (!op.differed) {
        // Already there at the first look: cannot say when it became visible.
        this.remove(op);
        this.counts.ambiguous++;
      } else {
        this.remove(op);
        this.counts.seen++;
        const lagMs = Math.max(0, seenAt - op.ackMs);
        const table = this.tableName;
        out.push({ t: seenAt, kind: 'op-lag', opSeq: op.opSeq, lagMs, ...(table !== undefined ? { table } : {}) });
      }
    }
    return out;
  }

  /** Gives up on ops older than maxAgeMs. */
  expire(now: number): void {
    for (const op of [...this.pending]) {
      if (now - op.ackMs > this.maxAgeMs) {
        this.remove(op);
        this.counts.expired++;
      }
    }
  }

  stats(): OpTrackerStats {
    return { ...this.counts, pending: this.pending.size };
  }

  private remove(op: PendingOp): void {
    this.pending.delete(op);
    for (const id of op.expect.keys()) if (this.byId.get(id) === op) this.byId.delete(id);
  }

  /** Ack times only matter while ops can still overlap; ops take seconds at most. */
  private pruneAcks(now: number): void {
    if (this.lastAck.size < 50_000) return;
    for (const [id, t] of this.lastAck) if (now - t > 60_000) this.lastAck.delete(id);
  }
}
