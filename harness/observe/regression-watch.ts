import { DELETED, fingerprintRow, type Fingerprint } from '../check/fingerprint.ts';
import { DEFAULT_INDEX_READING, type IndexReading } from '../check/mapping.ts';
import { normaliseSource, readSource } from '../check/normalise.ts';
import type { HistoryEntry, ProductRow } from '../record/history.ts';
import type { Sample } from '../record/samples.ts';

export interface RegressionWatchOptions {
  /** Watch 1 in N products (chosen by product_id, at their first operation). Default 10. */
  watchEvery?: number;
  /** Products watched at most. Default 50. */
  maxWatched?: number;
  /**
   * Watch every product (for small key spaces): no sampling, no cap, and the search reads the whole index
   * rather than a list of ids. Default false.
   */
  exhaustive?: boolean;
}

/** What the watch could judge: a "none" from a watch that never looked is no evidence. */
export interface WatchCoverage {
  /** Products watched (each from its first committed operation on). */
  products: number;
  /** Products the workload wrote that were not watched (sampling or the cap). */
  unwatched: number;
  /** Searches attempted, and those that succeeded (only those are judged). */
  polls: number;
  reads: number;
  exhaustive: boolean;
}

interface Watched {
  /** Every committed version, in commit order: content fingerprint (DELETED for a delete) and op seq. */
  versions: { fp: Fingerprint; seq: number }[];
  /** Highest version index a search has shown so far (-1: shown absent before its first version; none yet: -Infinity). */
  maxSeen: number;
  maxSeenAt: number;
  regressed: boolean;
}

/**
 * What search users saw on the way, free of I/O: a sample of products is watched, each from its first
 * committed operation in the history (so every version it ever had is known); searches of them are fed in,
 * and a product shown at an older version after a newer one is a regression (an upsert reordering that the
 * final state may hide). Ambiguous content (a row that went A → B → A) is read charitably, as the earliest
 * matching version not older than what was seen, so only a certain regression counts. Content matching no
 * recorded version (an unknown-outcome op) says nothing and is skipped. Documents are read through the
 * index's mapping (setReading), as the checker reads them. A product is chosen by its product_id at its first
 * operation, never later, so no version of a watched product predates the watch. What it covered (products
 * watched and not, searches attempted and successful) is reported: a watch that never looked judges nothing.
 */
export class RegressionWatch {
  private readonly every: number;
  private readonly max: number;
  private readonly watched = new Map<number, Watched>();
  /** Products chosen by id but first written when the watch was full: never watched (counted once each). */
  private readonly overCap = new Set<number>();
  private readonly unchosen = new Set<number>();
  private reading: IndexReading = DEFAULT_INDEX_READING;
  readonly exhaustive: boolean;
  reads = 0;
  polls = 0;

  constructor(opts: RegressionWatchOptions = {}) {
    this.exhaustive = opts.exhaustive ?? false;
    this.every = this.exhaustive ? 1 : (opts.watchEvery ?? 10);
    this.max = this.exhaustive ? Infinity : (opts.maxWatched ?? 50);
  }

  /** How the index reads each field (from its mapping); the default until the index has one. */
  setReading(reading: IndexReading): void {
    // Only documents are read by it: the versions are rows, whose fingerprints the mapping does not change.
    this.reading = reading;
  }

  /**
   * Every committed op, in ack order, from the start of the history: a product is chosen at its first
   * operation (by product_id, so the choice does not depend on timing) and then sees all its versions.
   */
  track(entry: HistoryEntry): void {
    if (entry.outcome !== 'ok') return;
    for (const e of entry.effects) {
      let w = this.watched.get(e.product_id);
      if (!w) {
        const pid = e.product_id;
        if (!this.chosen(pid)) {
          if (this.unchosen.size < 1_000_000) this.unchosen.add(pid);
          continue;
        }
        // Chosen, yet not watched: the watch was full at its first operation (the watch only grows, so a
        // product chosen while there was room was taken then).
        if (this.watched.size >= this.max || this.overCap.has(pid)) {
          this.overCap.add(pid);
          continue;
        }
        w = { versions: [], maxSeen: Number.NEGATIVE_INFINITY, maxSeenAt: 0, regressed: false };
        this.watched.set(pid, w);
      }
      const row = e.after === null ? undefined : rowOf(e.after as unknown as Record<string, unknown>);
      if (e.after === null) w.versions.push({ fp: DELETED, seq: entry.seq });
      else if (row !== undefined) w.versions.push({ fp: fingerprintRow(row), seq: entry.seq });
    }
  }

  /** Chosen by product_id: the same products in every run of a seed, whatever the timing. */
  private chosen(pid: number): boolean {
    if (this.every <= 1) return true;
    // MurmurHash3's finaliser: ids written in sequence spread evenly over the residues.
    let h = Math.imul(pid ^ (pid >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0) % this.every === 0;
  }

  /** A search that failed: counted, so a watch that never looked says so. */
  failedPoll(): void {
    this.polls++;
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
    this.polls++;
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

  /** What the watch covered: products watched and not, searches attempted and successful. */
  coverage(): WatchCoverage {
    return {
      products: this.watched.size,
      unwatched: this.overCap.size + this.unchosen.size,
      polls: this.polls,
      reads: this.reads,
      exhaustive: this.exhaustive,
    };
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
    const r = readSource(source, this.reading);
    if (!r.ok) return undefined;
    const fp = fingerprintRow(r.row);
    let latest: number | undefined;
    for (let i = 0; i < w.versions.length; i++) {
      if (w.versions[i]!.fp !== fp) continue;
      if (i >= w.maxSeen) return i;
      latest = i;
    }
    return latest;
  }
}

/** A history effect's row (already normalised by the workload; read as the row side, NaN price included). */
function rowOf(after: Record<string, unknown>): ProductRow | undefined {
  const r = normaliseSource(after);
  return r.ok ? r.row : undefined;
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
