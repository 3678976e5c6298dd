import type { HistoryEntry, ProductRow } from '../record/history.ts';
import type { Sample } from '../record/samples.ts';
import { docMatches } from './doc-match.ts';

export interface OpTrackerOptions {
  /** Keep 1 in N ops. Default 20. */
  sampleEvery?: number;
  /** Pending ops at most; further samples are skipped until some resolve. Default 200. */
  maxPending?: number;
  /** A pending op older than this is given up on (a diverged pipeline never shows it). Default 10 min. */
  maxAgeMs?: number;
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
  /** Expected post-state per doc id (String(product_id)); the last effect on a product wins. */
  expect: Map<string, ProductRow | null>;
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
  }

  /**
   * Takes note of an op. Any op with effects (an `unknown` one may have committed too) supersedes pending ops
   * on its products; only `ok` ops are sampled.
   */
  track(entry: HistoryEntry): void {
    const ids = [...new Set(entry.effects.map((e) => String(e.product_id)))];
    // Another op on the same product acknowledged after this one was sent: the two overlapped, and which
    // committed last (which state stays) is unknown.
    const overlapped = ids.some((id) => (this.lastAck.get(id) ?? Number.NEGATIVE_INFINITY) > entry.sendMs);
    for (const id of ids) {
      const older = this.byId.get(id);
      if (older) {
        this.remove(older);
        this.counts.superseded++;
      }
      this.lastAck.set(id, Math.max(this.lastAck.get(id) ?? Number.NEGATIVE_INFINITY, entry.ackMs));
    }
    this.pruneAcks(entry.ackMs);
    if (entry.outcome !== 'ok' || ids.length === 0) return;
    if (++this.okCount % this.every !== 0) return;
    if (overlapped) {
      this.counts.ambiguous++;
      return;
    }
    if (this.pending.size >= this.maxPending) {
      this.counts.skippedFull++;
      return;
    }
    const expect = new Map<string, ProductRow | null>();
    for (const e of entry.effects) expect.set(String(e.product_id), e.after);
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
      const matches = [...op.expect].every(([id, after]) => docMatches(docs.get(id), after));
      if (!matches) {
        op.differed = true;
      } else if (!op.differed) {
        // Already there at the first look: cannot say when it became visible.
        this.remove(op);
        this.counts.ambiguous++;
      } else {
        this.remove(op);
        this.counts.seen++;
        out.push({ t: seenAt, kind: 'op-lag', opSeq: op.opSeq, lagMs: Math.max(0, seenAt - op.ackMs) });
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
