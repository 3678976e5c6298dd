import { PRODUCTS } from '../model/products.ts';
import type { Row, TableModel } from '../model/table.ts';
import type { HistoryEntry } from '../record/history.ts';
import { DELETED, fingerprintOf, type Fingerprint } from './fingerprint.ts';
import { compareKeys, keyOrderOf, type JoinKey, type KeyOrder } from './keys.ts';
import { isNormalisedRow, normaliseSource } from './normalise.ts';

/**
 * For every key the history touched (product_id for products, the default; keys.ts for other tables), its
 * committed states in commit order: the versions a document may legitimately have shown at some point. Only
 * `ok` ops certainly committed; `unknown` ones may have (their states are acceptable, never required);
 * `failed` ones never did and contribute nothing.
 *
 * Commit order is (ackMs, seq, position of the effect in the op). Acknowledgements of two writes to one row
 * arrive in the order the row lock let them commit, up to clock granularity, which seq then breaks.
 *
 * Memory: the comparison gets every row's current state from the Postgres snapshot, so the index keeps no
 * rows at all, only a 53-bit fingerprint per version (enough to tell "equals version k" from "equals none")
 * plus its op seq and flags, in flat typed arrays sorted by product_id: 17 bytes per version and 12 per
 * product, i.e. ~60 MB for a million products with three versions each, with no per-product objects. The
 * comparison walks it with a cursor in step with the two product_id-ordered snapshot streams.
 */
export interface VersionsIndex {
  /** Distinct keys, ascending (compareKeys): numbers for a one-column integer key, else key texts. */
  readonly keys: Float64Array | readonly string[];
  /** Versions of keys[i] are at [starts[i], starts[i + 1]); length pids.length + 1. */
  readonly starts: Uint32Array;
  /** Per version: fingerprint of the state (DELETED for a delete). */
  readonly fingerprints: Float64Array;
  /** Per version: seq of the op that produced it. */
  readonly seqs: Float64Array;
  /** Per version: VERSION_POSSIBLE | VERSION_DELETED. */
  readonly flags: Uint8Array;
  /** The table whose rows these are; absent: products. */
  readonly table?: TableModel;
}

/** The op's outcome was unknown: it may or may not have committed. */
export const VERSION_POSSIBLE = 1;
export const VERSION_DELETED = 2;

/** One version, for details and tests. */
export interface VersionInfo {
  /** 1-based position in the product's versions. */
  number: number;
  of: number;
  seq: number;
  possible: boolean;
  deleted: boolean;
  fingerprint: Fingerprint;
}

/** Collects versions one history entry at a time (so the runner can feed it while history.jsonl streams). */
export class VersionsBuilder {
  private readonly order: KeyOrder;
  private readonly fingerprint: (row: Row) => Fingerprint;
  /** The keys of a table whose key is not one integer, per version (pid holds positions then). */
  private readonly texts: string[] = [];
  private n = 0;
  private pid = new Float64Array(1024);
  private ack = new Float64Array(1024);
  private seq = new Float64Array(1024);
  private fp = new Float64Array(1024);
  private flag = new Uint8Array(1024);

  constructor(private readonly table: TableModel = PRODUCTS) {
    this.order = keyOrderOf(table);
    this.fingerprint = fingerprintOf(table);
  }

  add(entry: HistoryEntry<Row>): void {
    if (entry.outcome === 'failed') return;
    const possible = entry.outcome === 'unknown' ? VERSION_POSSIBLE : 0;
    const table = this.table;
    for (const effect of entry.effects) {
      // A history of several tables: only this table's effects (an effect without a table is of the only one).
      if (effect.table !== undefined && effect.table !== table.name) continue;
      let fp = DELETED;
      const after = effect.after;
      if (after !== null && isNormalisedRow(after, table)) fp = this.fingerprint(after);
      else if (after !== null) {
        // History rows come from RETURNING; normalise them by the same rules as documents so that one value
        // is one fingerprint however the workload encoded it (e.g. a price of "19.9", or a number).
        const result = normaliseSource<Row>(after, undefined, table);
        if (!result.ok) {
          const what = table === PRODUCTS ? `product ${effect.product_id}` : `${table.name} ${effect.key}`;
          throw new Error(
            `history op #${entry.seq}: ${what} has ${result.field} ` +
              `${JSON.stringify(result.value)}, ${result.reason}`,
          );
        }
        fp = this.fingerprint(result.row);
      }
      let key: number = effect.product_id;
      if (table !== PRODUCTS) {
        const text = effect.key ?? (after === null ? undefined : String(this.order.ofRow(after)));
        if (text === undefined) throw new Error(`history op #${entry.seq}: a ${table.name} effect without a key`);
        if (this.order.numeric) key = Number(text);
        else {
          key = this.texts.length;
          this.texts.push(text);
        }
      }
      this.push(key, entry.ackMs, entry.seq, fp, possible | (fp === DELETED ? VERSION_DELETED : 0));
    }
  }

  private push(pid: number, ack: number, seq: number, fp: number, flag: number): void {
    if (this.n === this.pid.length) this.grow();
    const i = this.n++;
    this.pid[i] = pid;
    this.ack[i] = ack;
    this.seq[i] = seq;
    this.fp[i] = fp;
    this.flag[i] = flag;
  }

  private grow(): void {
    const cap = this.pid.length * 2;
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.pid = f64(this.pid);
    this.ack = f64(this.ack);
    this.seq = f64(this.seq);
    this.fp = f64(this.fp);
    const flag = new Uint8Array(cap);
    flag.set(this.flag);
    this.flag = flag;
  }

  finish(): VersionsIndex {
    const n = this.n;
    const { pid, ack, seq, texts } = this;
    const numeric = this.order.numeric;

    // Distinct keys: a native numeric sort of a typed array (or a sort of the key texts), then a dedupe.
    let keys: Float64Array | string[];
    let u = 0;
    if (numeric) {
      const sorted = pid.slice(0, n).sort();
      for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[u++] = sorted[i]!;
      keys = sorted.slice(0, u);
    } else {
      const sorted = texts.slice().sort(compareKeys);
      for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[u++] = sorted[i]!;
      keys = sorted.slice(0, u);
    }

    // Bucket versions by key (a counting sort, stable: arrival order is kept within a key).
    const slot = new Uint32Array(n);
    const starts = new Uint32Array(u + 1);
    for (let i = 0; i < n; i++) {
      const s = binarySearch(keys, numeric ? pid[i]! : texts[pid[i]!]!);
      slot[i] = s;
      starts[s + 1]!++;
    }
    for (let s = 0; s < u; s++) starts[s + 1]! += starts[s]!;
    const next = starts.slice(0, u);
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[next[slot[i]!]!++] = i;

    // Within a product, order by (ackMs, seq); ties keep arrival order (effects of one op, in commit order).
    const before = (a: number, b: number): number => ack[a]! - ack[b]! || seq[a]! - seq[b]! || a - b;
    for (let s = 0; s < u; s++) {
      const lo = starts[s]!;
      const hi = starts[s + 1]!;
      if (hi - lo <= 64) insertionSort(order, lo, hi, before);
      else order.set(Array.from(order.subarray(lo, hi)).sort(before), lo);
    }

    const fingerprints = new Float64Array(n);
    const seqs = new Float64Array(n);
    const flags = new Uint8Array(n);
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      fingerprints[j] = this.fp[i]!;
      seqs[j] = seq[i]!;
      flags[j] = this.flag[i]!;
    }
    const index = { keys, starts, fingerprints, seqs, flags };
    return this.table === PRODUCTS ? index : { ...index, table: this.table };
  }
}

function insertionSort(a: Uint32Array, lo: number, hi: number, cmp: (x: number, y: number) => number): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && cmp(a[j]!, v) > 0) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

function binarySearch(a: Float64Array | readonly string[], x: JoinKey): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid]!;
    if (v < x) lo = mid + 1;
    else if (v > x) hi = mid - 1;
    else return mid;
  }
  return -1;
}

export function buildVersions(history: Iterable<HistoryEntry<Row>>, table: TableModel = PRODUCTS): VersionsIndex {
  const builder = new VersionsBuilder(table);
  for (const entry of history) builder.add(entry);
  return builder.finish();
}

export async function buildVersionsAsync(
  history: AsyncIterable<HistoryEntry<Row>> | Iterable<HistoryEntry<Row>>,
  table: TableModel = PRODUCTS,
): Promise<VersionsIndex> {
  const builder = new VersionsBuilder(table);
  for await (const entry of history) builder.add(entry);
  return builder.finish();
}

/** Position of a key (a product_id for products) in `index.keys`, or -1 when the history never touched it. */
export function productSlot(index: VersionsIndex, productId: JoinKey): number {
  return binarySearch(index.keys, productId);
}

/** The versions of one key in commit order (empty when the history never touched it). */
export function versionsOf(index: VersionsIndex, productId: JoinKey): VersionInfo[] {
  const slot = productSlot(index, productId);
  if (slot < 0) return [];
  const lo = index.starts[slot]!;
  const hi = index.starts[slot + 1]!;
  const out: VersionInfo[] = [];
  for (let v = lo; v < hi; v++) out.push(versionAt(index, slot, v));
  return out;
}

/** Version `v` (an absolute position in the index arrays) of the product at `slot`. */
export function versionAt(index: VersionsIndex, slot: number, v: number): VersionInfo {
  const lo = index.starts[slot]!;
  const flags = index.flags[v]!;
  return {
    number: v - lo + 1,
    of: index.starts[slot + 1]! - lo,
    seq: index.seqs[v]!,
    possible: (flags & VERSION_POSSIBLE) !== 0,
    deleted: (flags & VERSION_DELETED) !== 0,
    fingerprint: index.fingerprints[v]!,
  };
}

/** "version 2 of 4 (op #9)", ", outcome unknown" when it may not have committed. */
export function describeVersion(index: VersionsIndex, slot: number, v: number): string {
  const info = versionAt(index, slot, v);
  return `version ${info.number} of ${info.of} (op #${info.seq}${info.possible ? ', outcome unknown' : ''})`;
}

/**
 * The latest version of the product at `slot` with this fingerprint (an absolute position), or -1. The
 * latest, because when a row went A → B → A the newer A is the more useful thing to name.
 */
export function findVersion(index: VersionsIndex, slot: number, fp: Fingerprint): number {
  if (slot < 0) return -1;
  const lo = index.starts[slot]!;
  for (let v = index.starts[slot + 1]! - 1; v >= lo; v--) if (index.fingerprints[v] === fp) return v;
  return -1;
}

/**
 * How many rows the history's committed effects certainly leave: products whose last certainly committed
 * version is not a delete, with no unknown-outcome delete after it. Zero means the run compares two stores
 * with nothing the history put there (e.g. only deletes of absent keys committed): it proved nothing.
 */
export function rowsLeft(index: VersionsIndex): number {
  let n = 0;
  for (let slot = 0; slot < index.keys.length; slot++) {
    const start = index.starts[slot]!;
    let v = index.starts[slot + 1]! - 1;
    let maybeGone = false;
    for (; v >= start && (index.flags[v]! & VERSION_POSSIBLE) !== 0; v--)
      if ((index.flags[v]! & VERSION_DELETED) !== 0) maybeGone = true;
    if (v >= start && (index.flags[v]! & VERSION_DELETED) === 0 && !maybeGone) n++;
  }
  return n;
}
