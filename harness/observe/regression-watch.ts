import { DELETED, fingerprintRow, type Fingerprint } from '../check/fingerprint.ts';
import { normaliseSource } from '../check/normalise.ts';
import type { HistoryEntry } from '../record/history.ts';
import type { Sample } from '../record/samples.ts';

export interface RegressionWatchOptions {
  /** Start watching 1 in N products the workload touches. Default 10. */
  watchEvery?: number;
  /** Products watched at most. Default 50. */
  maxWatched?: number;
}

interface Watched {
  /** Versions from the moment the watch began, in commit order: content fingerprint (DELETED for a delete) and op seq. */
  versions: { fp: Fingerprint; seq: number }[];
  /** Highest version index a search has shown so far (-1: shown absent before its first version; none yet: -Infinity). */
  maxSeen: number;
  maxSeenAt: number;
  regressed: boolean;
}

/**
 * What search users saw on the way, free of I/O: a sample of products is watched from their next operation
 * on, searches of them are fed in, and a product shown at an older version after a newer one is a regression
 * (an upsert reordering that the final state may hide). Ambiguous content (a row that went A → B → A) is
 * read charitably, as the earliest matching version not older than what was seen, so only a certain
 * regression counts. Content matching no recorded version (an unknown-outcome op, a version from before the
 * watch began) says nothing and is skipped.
 */
export class RegressionWatch {
  private readonly every: number;
  private readonly max: number;
  private readonly watched = new Map<number, Watched>();
  private touched = 0;
  reads = 0;

  constructor(opts: RegressionWatchOptions = {}) {
    this.every = opts.watchEvery ?? 10;
    this.max = opts.maxWatched ?? 50;
  }

  /** Every acknowledged op, in ack order. */
  track(entry: HistoryEntry): void {
    if (entry.outcome !== 'ok') return;
    for (const e of entry.effects) {
      let w = this.watched.get(e.product_id);
      if (!w) {
        if (this.watched.size >= this.max || this.touched++ % this.every !== 0) continue;
        w = { versions: [], maxSeen: Number.NEGATIVE_INFINITY, maxSeenAt: 0, regressed: false };
        this.watched.set(e.product_id, w);
      }
      const fp = e.after === null ? DELETED : fingerprintOf(e.after as unknown as Record<string, unknown>);
      if (fp !== undefined) w.versions.push({ fp, seq: entry.seq });
    }
  }

  /** The product_ids to search for. */
  ids(): number[] {
    return [...this.watched.keys()];
  }

  /**
   * One search of the watched products, started at `t`: their documents' sources by product_id (a product
   * with no document is absent). Returns a sample per product that regressed in this search.
   */
  observe(found: ReadonlyMap<number, Record<string, unknown>>, ids: readonly number[], t: number): Sample[] {
    this.reads++;
    const out: Sample[] = [];
    for (const pid of ids) {
      const w = this.watched.get(pid);
      if (!w || w.versions.length === 0) continue;
      const source = found.get(pid);
      const idx = source === undefined ? this.absentIndex(w) : this.contentIndex(w, source);
      if (idx === undefined) continue;
      if (idx < w.maxSeen) {
        if (!w.regressed) out.push(regression(pid, w, idx, t));
        w.regressed = true;
      } else if (idx > w.maxSeen) {
        w.maxSeen = idx;
        w.maxSeenAt = t;
      }
    }
    return out;
  }

  /** How many products are watched, and how many searches were fed in. */
  coverage(): { products: number; reads: number } {
    return { products: this.watched.size, reads: this.reads };
  }

  /**
   * No document: "before the first version" (-1) or a delete, whichever is the earliest not older than what
   * was seen; else the latest of them (a regression).
   */
  private absentIndex(w: Watched): number {
    if (w.maxSeen <= -1) return -1;
    let latest = -1;
    for (let i = 0; i < w.versions.length; i++) {
      if (w.versions[i]!.fp !== DELETED) continue;
      if (i >= w.maxSeen) return i;
      latest = i;
    }
    return latest;
  }

  private contentIndex(w: Watched, source: Record<string, unknown>): number | undefined {
    const fp = fingerprintOf(source);
    if (fp === undefined) return undefined;
    let latest: number | undefined;
    for (let i = 0; i < w.versions.length; i++) {
      if (w.versions[i]!.fp !== fp) continue;
      if (i >= w.maxSeen) return i;
      latest = i;
    }
    return latest;
  }
}

function fingerprintOf(source: Record<string, unknown>): Fingerprint | undefined {
  const r = normaliseSource(source);
  return r.ok ? fingerprintRow(r.row) : undefined;
}

function regression(pid: number, w: Watched, idx: number, t: number): Sample {
  const from = w.versions[w.maxSeen]!;
  const to = w.versions[Math.max(idx, 0)]!;
  return {
    t,
    kind: 'regression',
    product_id: pid,
    from: { version: w.maxSeen + 1, seq: from.seq, t: w.maxSeenAt },
    // Version 0: shown absent again, before its first version (the document vanished).
    to: { version: idx + 1, seq: idx < 0 ? -1 : to.seq, t },
  };
}
