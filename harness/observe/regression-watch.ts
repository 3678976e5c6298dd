import { DELETED, fingerprintOf, fingerprintRow, type Fingerprint } from '../check/fingerprint.ts';
import { DEFAULT_INDEX_READING, indexReadingOf, type IndexReading } from '../check/mapping.ts';
import { normaliseSource, readSource } from '../check/normalise.ts';
import type { Row, TableModel } from '../model/table.ts';
import type { Effect, HistoryEntry, ProductRow } from '../record/history.ts';
import type { Sample } from '../record/samples.ts';
import { effectKey, normalisedAfter } from './watched-table.ts';

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
  /**
   * A definition's own table instead of products: its rows are watched by their key text (the document's _id),
   * their versions fingerprinted as the checker does (fingerprintOf), documents read by its reading (setReading;
   * before that, the table's default reading, with `fields` the sink adds). Other tables' effects are ignored.
   */
  table?: { model: TableModel; fields?: readonly string[] };
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
  /**
   * Highest version index a search has shown so far (-1: shown absent before its first version; none yet:
   * -Infinity).
   */
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
export class RegressionWatch<K extends number | string = number> {
  private readonly every: number;
  private readonly max: number;
  private readonly watched = new Map<K, Watched>();
  /** Products chosen by id but first written when the watch was full: never watched (counted once each). */
  private readonly overCap = new Set<K>();
  private readonly unchosen = new Set<K>();
  private reading: IndexReading = DEFAULT_INDEX_READING;
  private readonly model: TableModel | undefined;
  /** The row's key of an effect (product_id, or a table's key text); undefined: another table's effect. */
  private readonly keyOf: (e: Effect<Row>) => K | undefined;
  /** A committed row's fingerprint (undefined: not normalisable), and a read document's. */
  private readonly rowFp: (after: Row) => Fingerprint | undefined;
  private readonly docFp: (row: Row) => Fingerprint;
  readonly exhaustive: boolean;
  reads = 0;
  polls = 0;

  constructor(opts: RegressionWatchOptions = {}) {
    this.exhaustive = opts.exhaustive ?? false;
    this.every = this.exhaustive ? 1 : (opts.watchEvery ?? 10);
    this.max = this.exhaustive ? Infinity : (opts.maxWatched ?? 50);
    const model = opts.table?.model;
    this.model = model;
    if (model === undefined) {
      this.keyOf = (e) => e.product_id as K;
      this.rowFp = (after) => {
        const row = rowOf(after);
        return row === undefined ? undefined : fingerprintRow(row);
      };
      this.docFp = fingerprintRow as unknown as (row: Row) => Fingerprint;
    } else {
      const fp = fingerprintOf(model);
      this.keyOf = (e) => effectKey(model, e) as K | undefined;
      this.rowFp = (after) => {
        const row = normalisedAfter(model, after);
        return row === undefined ? undefined : fp(row);
      };
      this.docFp = fp;
      this.reading = indexReadingOf(undefined, opts.table?.fields ?? [], model);
    }
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
  track(entry: HistoryEntry<Row>): void {
    if (entry.outcome !== 'ok') return;
    for (const e of entry.effects) {
      const pid = this.keyOf(e);
      if (pid === undefined) continue;
      let w = this.watched.get(pid);
      if (!w) {
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
      const fp = e.after === null ? DELETED : this.rowFp(e.after);
      if (fp !== undefined) w.versions.push({ fp, seq: entry.seq });
    }
  }

  /** Chosen by product_id (or key text): the same products in every run of a seed, whatever the timing. */
  private chosen(key: K): boolean {
    if (this.every <= 1) return true;
    const pid = typeof key === 'number' ? key : textHash(key);
    // MurmurHash3's finaliser: ids written in sequence spread evenly over the residues.
    let h = Math.imul(pid ^ (pid >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0) % this.every === 0;
  }

  /** A search that failed: counted, so a watch that never looked says so. */
  failedPoll(): void {
    this.polls++;
  }

  /** The product_ids (a table's key texts: document _ids) to search for. */
  ids(): K[] {
    return [...this.watched.keys()];
  }

  /**
   * One search of the watched products, started at `t`: their documents' sources by product_id (a table's: by
   * key text, the _id; a product with no document is absent). Returns a sample per product that regressed in
   * this search.
   */
  observe(found: ReadonlyMap<K, Record<string, unknown>>, ids: readonly K[], t: number): Sample[] {
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
        if (!w.regressed) out.push(regression(this.rowName(pid), w, idx, t));
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

  private rowName(key: K): RowName {
    const m = this.model;
    if (m === undefined) return { product_id: key as number };
    const text = String(key);
    // As history effects do: product_id is the key when it is one integer, else -1.
    const n = Number(text);
    return {
      product_id: m.key.length === 1 && Number.isSafeInteger(n) && /^-?\d+$/.test(text) ? n : -1,
      table: m.name,
      key: text,
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
    const r = readSource<Row>(source, this.reading);
    if (!r.ok) return undefined;
    const fp = this.docFp(r.row);
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
function rowOf(after: Row): ProductRow | undefined {
  const r = normaliseSource(after);
  return r.ok ? r.row : undefined;
}

/** 32 bits of a key text (FNV-1a over its UTF-16 units), for the choice by key. */
function textHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** How a regression sample names the row: products by product_id; a table's row by table and key too. */
type RowName = { product_id: number } | { product_id: number; table: string; key: string };

function regression(name: RowName, w: Watched, idx: number, t: number): Sample {
  const from = w.versions[w.maxSeen]!;
  const to = w.versions[Math.max(idx, 0)]!;
  return {
    t,
    kind: 'regression',
    ...name,
    from: { version: w.maxSeen + 1, seq: from.seq, t: w.maxSeenAt },
    // Version 0: shown absent again, before its first version (the document vanished).
    to: { version: idx + 1, seq: idx < 0 ? -1 : to.seq, t },
  };
}
