import { ANOMALY_CLASSES, type Anomaly, type AnomalyClass, type Comparison, type EsDoc } from '../record/anomalies.ts';
import { PRODUCTS } from '../model/products.ts';
import type { Row } from '../model/table.ts';
import type { ProductRow } from '../record/history.ts';
import { fingerprintOf, type Fingerprint } from './fingerprint.ts';
import { keyOrderOf, type JoinKey, type KeyOrder } from './keys.ts';
import { DEFAULT_INDEX_READING, type IndexReading } from './mapping.ts';
import { normaliseProductId, readSource, sourceMatchesRow, unexpectedFields } from './normalise.ts';
import { Details, show } from './details.ts';
import { HistoryCheck } from './history-check.ts';
import { findVersion, rowsLeft, VERSION_POSSIBLE, type VersionsIndex } from './versions.ts';

/** A snapshot stream: an array, a generator, or an async generator (the snapshot readers). */
export type Stream<T> = Iterable<T> | AsyncIterable<T>;

export interface CompareInput {
  versions: VersionsIndex;
  /**
   * Postgres rows, normalised, strictly ascending by key (product_id for products; see keys.ts: numbers for a
   * one-column integer key, else key texts by UTF-16 code units).
   */
  pg: Stream<ProductRow> | Stream<Row>;
  /** Elasticsearch documents, ascending by (key, _id). */
  es: Stream<EsDoc>;
  /** Examples kept per anomaly class (default 10). */
  maxExamples?: number;
  /**
   * How the index reads each field (from its mapping, see indexReadingOf; default: no mapping known). Its table
   * (products by default) is the table compared; the versions must be of the same one.
   */
  reading?: IndexReading;
}

/**
 * The checker's core, a pure function of (history versions, Postgres snapshot, Elasticsearch snapshot).
 *
 * A merge-join of the two product_id-ordered streams, with a cursor into the versions index moving in step:
 * memory stays constant beyond the index, one product's documents and the examples. Every product_id with a
 * difference gets exactly one class, so the counts add up to the number of differing products:
 *
 * - more than one document            → duplicate (whatever they hold; the detail says what each equals)
 * - documents but no row              → zombie (also when the document equals a version from before a delete)
 * - a row but no document             → missing
 * - one document whose `_id` is not the product_id → wrong-id (a write or delete addressed by key misses it)
 * - one document that differs from the row:
 *     equals an older committed version of the row (or an unknown-outcome one that may have committed) → stale
 *     equals no committed version (or an unknown-outcome one that Postgres shows never committed) → corrupt
 * - one document equal to the row, with fields the row does not explain (`__deleted`, `op`/`before`/`after`
 *   of an unapplied unwrap) and the definition does not declare → unexpected-field
 *
 * Documents are read through the index's mapping, field by field (see readSource): what a search sees.
 *
 * Beside the join, Postgres is checked against the history: every product the history wrote must be in the
 * state its last committed operation left (or one an unknown-outcome operation after it may have left).
 * Anything else is a setup error (the wrong table, another writer), reported apart from the anomalies.
 *
 * A document whose product_id is not an integer cannot be joined at all; it is `corrupt`, filed under its
 * numeric `_id` (or -1). The streams' order is checked as they are read: a wrong order would silently turn
 * into missing/zombie pairs, so it throws instead.
 */
export async function compare(input: CompareInput): Promise<Comparison> {
  const reading = input.reading ?? DEFAULT_INDEX_READING;
  const table = reading.table ?? PRODUCTS;
  if ((input.versions.table ?? PRODUCTS) !== table)
    throw new Error(`the versions are of ${input.versions.table?.name ?? 'products'}, the reading of ${table.name}`);
  const order = keyOrderOf(table);
  const tally = new Tally(input.versions, input.maxExamples ?? 10, reading, order);
  const pg = new Reader(input.pg);
  const es = new Reader(input.es);
  const keyOfRow = order.ofRow;
  const keyOfSource = order.ofSource;
  try {
    let row: Row | undefined;
    let rowPid: JoinKey = 0;
    let doc: EsDoc | undefined;
    let docPid: JoinKey = 0;
    /** The documents of key `groupPid`, collected until a document of another key turns up. */
    const group: EsDoc[] = [];
    let groupPid: JoinKey = 0;

    // Inlined pulls rather than helpers: a sync source must not pay a promise per item.
    let r = pg.async ? await pg.async.next() : pg.sync!.next();
    row = r.done === true ? undefined : r.value;
    if (row !== undefined) {
      rowPid = keyOfRow(row);
      if (!validKey(rowPid)) throw new Error(`Postgres row without a ${order.name}: ${JSON.stringify(row)}`);
    }

    for (;;) {
      // The next joinable document (doc undefined at the end).
      doc = undefined;
      for (;;) {
        const d = es.async ? await es.async.next() : es.sync!.next();
        if (d.done === true) break;
        tally.esDocs++;
        const id = keyOfSource(d.value._source);
        if (id === undefined) tally.unjoinable(d.value);
        else {
          doc = d.value;
          docPid = id;
          break;
        }
      }
      if (doc !== undefined && group.length > 0) {
        if (docPid === groupPid) {
          group.push(doc);
          continue;
        }
        if (docPid < groupPid) {
          throw new Error(
            `Elasticsearch documents out of order: ${order.name} ${docPid} (_id ${doc._id}) after ${groupPid}; ` +
              `is ${order.name} mapped as a keyword (sorted as text)?`,
          );
        }
      }

      // The group is complete: join it with the rows up to it (or all remaining rows, at the end), in key
      // order, which the versions cursor relies on.
      const all = doc === undefined;
      let joined = group.length === 0;
      while (row !== undefined && (all ? true : !joined && rowPid <= groupPid)) {
        if (!joined && rowPid > groupPid) {
          tally.classify(groupPid, null, group);
          joined = true;
        }
        tally.pgRow(row);
        if (!joined && rowPid === groupPid) {
          tally.classify(groupPid, row, group);
          joined = true;
        } else tally.classify(rowPid, row, NONE);
        r = pg.async ? await pg.async.next() : pg.sync!.next();
        const previous = rowPid;
        if (r.done === true) row = undefined;
        else {
          row = r.value;
          rowPid = keyOfRow(row);
          // (NaN fails this too.)
          if (!(rowPid > previous))
            throw new Error(`Postgres rows out of order: ${order.name} ${rowPid} after ${previous}`);
        }
      }
      if (!joined) tally.classify(groupPid, null, group);

      if (doc === undefined) break;
      group.length = 0;
      group.push(doc);
      groupPid = docPid;
    }
  } finally {
    // Settled, not all: a failure to close must not mask the comparison's own error or result.
    await Promise.allSettled([pg.close(), es.close()]);
  }
  return tally.result();
}

/** A key the join can order: a finite number, or a text. */
function validKey(k: JoinKey): boolean {
  return typeof k === 'string' || (k > -Infinity && k < Infinity);
}

const NONE: EsDoc[] = [];

/** Pulls a sync source without awaiting (a microtask per item adds up over a million), an async one with. */
class Reader<T> {
  readonly sync: Iterator<T> | undefined;
  readonly async: AsyncIterator<T> | undefined;

  constructor(source: Stream<T>) {
    if (Symbol.asyncIterator in source) this.async = source[Symbol.asyncIterator]();
    else this.sync = source[Symbol.iterator]();
  }

  /** Lets a generator run its `finally` (end the transaction, close the point in time) on an early exit. */
  async close(): Promise<void> {
    if (this.async?.return) await this.async.return();
    else this.sync?.return?.();
  }
}

class Tally {
  pgRows = 0;
  esDocs = 0;
  private readonly counts = emptyRecord(() => 0);
  private readonly examples = emptyRecord((): Anomaly[] => []);
  /** Cursor into versions.keys; keys only grow, so it only moves forward. */
  private cursor = 0;
  private readonly history: HistoryCheck;
  private readonly details: Details;
  private readonly fingerprint: (row: Row) => Fingerprint;
  private readonly products: boolean;

  constructor(
    private readonly versions: VersionsIndex,
    private readonly maxExamples: number,
    private readonly reading: IndexReading,
    private readonly order: KeyOrder,
  ) {
    this.history = new HistoryCheck(versions, maxExamples);
    this.details = new Details(versions, reading, (pid) => this.slot(pid), order);
    this.fingerprint = fingerprintOf(order.table);
    this.products = order.table === PRODUCTS;
  }

  classify(pid: JoinKey, row: Row | null, docs: EsDoc[]): void {
    if (docs.length === 0) {
      if (row !== null && this.count('missing'))
        this.example('missing', pid, row, docs, this.details.missingDetail(pid, row));
    } else if (docs.length > 1) {
      if (this.count('duplicate'))
        this.example('duplicate', pid, row, docs, this.details.duplicateDetail(pid, row, docs));
    } else if (row === null) {
      if (this.count('zombie')) this.example('zombie', pid, row, docs, this.details.zombieDetail(pid, docs[0]!));
    } else if (docs[0]!._id !== this.order.docId(pid, row)) {
      if (this.count('wrong-id'))
        this.example('wrong-id', pid, row, docs, this.details.wrongIdDetail(pid, docs[0]!, row));
    } else if (!sourceMatchesRow(docs[0]!._source, row, this.reading)) {
      this.classifyDiffering(pid, row, docs);
    } else {
      const extra = unexpectedFields(docs[0]!._source, this.reading);
      if (extra.length > 0 && this.count('unexpected-field'))
        this.example('unexpected-field', pid, row, docs, this.details.unexpectedDetail(docs[0]!, extra));
    }
  }

  /** One document under the right `_id` that is not the row: an older version (stale), or none (corrupt). */
  private classifyDiffering(pid: JoinKey, row: Row, docs: EsDoc[]): void {
    const source = docs[0]!._source;
    const result = readSource<Row>(source, this.reading);
    const slot = this.slot(pid);
    const v = result.ok ? findVersion(this.versions, slot, this.fingerprint(result.row)) : -1;
    // An unknown-outcome version newer than the row's own never committed: Postgres would show it (or later).
    const r = v >= 0 ? findVersion(this.versions, slot, this.fingerprint(row)) : -1;
    const uncommitted = v >= 0 && r >= 0 && v > r && (this.versions.flags[v]! & VERSION_POSSIBLE) !== 0;
    const cls = v >= 0 && !uncommitted ? 'stale' : 'corrupt';
    if (!this.count(cls)) return;
    let detail: string;
    if (uncommitted)
      detail =
        `equals ${this.details.describeVersion(pid, v)}, which Postgres shows ` +
        `never committed: the row is ${this.details.describeRow(pid, row)}`;
    else if (v >= 0)
      detail = `equals ${this.details.describeVersion(pid, v)}; the row is ${this.details.describeRow(pid, row)}`;
    else if (!result.ok) detail = `${result.field} ${show(result.value)} is ${result.reason}`;
    else
      detail =
        `equals no committed version (${this.details.versionCount(pid)}); ` +
        `differs from the row in ${this.details.fieldDiffs(source, row)}`;
    this.example(cls, pid, row, docs, detail);
  }

  /** A document whose key cannot be read. */
  unjoinable(doc: EsDoc): void {
    if (!this.count('corrupt')) return;
    if (this.products) {
      const fromId = normaliseProductId(doc._id);
      const detail = `product_id ${show(doc._source['product_id'])} is not an integer (_id ${doc._id})`;
      this.example('corrupt', fromId ?? -1, null, [doc], detail);
      return;
    }
    const shown = this.order.table.key.map((k) => `${k} ${show(doc._source[k])}`).join(', ');
    const detail = `${shown}: not a key of ${this.order.table.name} (_id ${doc._id})`;
    this.examples.corrupt.push({ class: 'corrupt', product_id: -1, key: doc._id, pg: null, es: [doc], detail });
  }

  /** A Postgres row, in key order: counted, and checked against the history. */
  pgRow(row: Row): void {
    this.pgRows++;
    this.history.row(row);
  }

  result(): Comparison {
    const table = this.order.table;
    const notCompared = table.columns.filter((c) => c.lossy !== undefined).map((c) => `${table.name}.${c.name}`);
    let equal = true;
    for (const cls of ANOMALY_CLASSES) if (this.counts[cls] > 0) equal = false;
    return {
      equal,
      pgRows: this.pgRows,
      esDocs: this.esDocs,
      counts: this.counts,
      examples: this.examples,
      setupErrors: this.history.finish(),
      rowsExpected: rowsLeft(this.versions),
      ...(notCompared.length > 0 ? { notCompared } : {}),
    };
  }

  /** Counts one anomaly; true when an example of it should be kept (details are built only then). */
  private count(cls: AnomalyClass): boolean {
    this.counts[cls]++;
    return this.examples[cls].length < this.maxExamples;
  }

  private example(cls: AnomalyClass, pid: JoinKey, pg: Row | null, docs: EsDoc[], detail: string): void {
    if (this.products) this.examples[cls].push({ class: cls, product_id: pid as number, pg, es: docs.slice(), detail });
    else {
      const product_id = typeof pid === 'number' ? pid : -1;
      this.examples[cls].push({ class: cls, product_id, key: String(pid), pg, es: docs.slice(), detail });
    }
  }

  private slot(pid: JoinKey): number {
    const pids = this.versions.keys;
    while (this.cursor < pids.length && pids[this.cursor]! < pid) this.cursor++; // numbers, or texts: both native
    return this.cursor < pids.length && pids[this.cursor] === pid ? this.cursor : -1;
  }
}

function emptyRecord<T>(make: () => T): Record<AnomalyClass, T> {
  return Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, make()])) as Record<AnomalyClass, T>;
}
