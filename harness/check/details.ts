import type { EsDoc } from '../record/anomalies.ts';
import type { Row } from '../model/table.ts';
import { fingerprintOf, type Fingerprint } from './fingerprint.ts';
import { keyOrderOf, type JoinKey, type KeyOrder } from './keys.ts';
import type { IndexReading } from './mapping.ts';
import { differingFields, readSource, sourceMatchesRow } from './normalise.ts';
import { describeVersion, findVersion, versionAt, type VersionsIndex } from './versions.ts';

/** The one-sentence details of anomaly examples: what each document and row is, relative to the history. */
export class Details {
  private readonly fingerprint: (row: Row) => Fingerprint;
  /** What the key is called in details: "product_id" for products. */
  private readonly keyName: string;

  constructor(
    private readonly versions: VersionsIndex,
    private readonly reading: IndexReading,
    /** The key's slot in the versions index (the comparison's cursor, which only moves forward). */
    private readonly slot: (pid: JoinKey) => number,
    private readonly order: KeyOrder = keyOrderOf(reading.table),
  ) {
    this.fingerprint = fingerprintOf(order.table);
    this.keyName = order.name;
  }

  versionCount(pid: JoinKey): string {
    const slot = this.slot(pid);
    if (slot < 0) return `the history never wrote this ${this.keyName}`;
    const n = this.versions.starts[slot + 1]! - this.versions.starts[slot]!;
    return `${n} version${n === 1 ? '' : 's'} in the history`;
  }

  describeVersion(pid: JoinKey, v: number): string {
    return describeVersion(this.versions, this.slot(pid), v);
  }

  /** Each differing field as "name: document value ≠ row value", so a timestamp difference shows its numbers. */
  fieldDiffs(source: Readonly<Record<string, unknown>>, row: Row): string {
    return differingFields(source, row, this.reading)
      .map((f) => `${f} ${show(source[f])} ≠ ${show((row as Readonly<Record<string, unknown>>)[f])}`)
      .join(', ');
  }

  /** What a document holds relative to the history: "version 2 of 4 (op #9)", or why it holds nothing. */
  describeDoc(pid: JoinKey, doc: EsDoc, row: Row | null): string {
    if (row !== null && sourceMatchesRow(doc._source, row, this.reading)) return 'the row';
    const result = readSource(doc._source, this.reading);
    if (!result.ok) return `nothing (${result.field} ${show(result.value)} is ${result.reason})`;
    const v = findVersion(this.versions, this.slot(pid), this.fingerprint(result.row));
    return v >= 0 ? this.describeVersion(pid, v) : 'no committed version';
  }

  /** Which version the Postgres row is. */
  describeRow(pid: JoinKey, row: Row): string {
    const slot = this.slot(pid);
    if (slot < 0) return `not from the history (it never wrote this ${this.keyName}; a row from before the workload?)`;
    const v = findVersion(this.versions, slot, this.fingerprint(row));
    return v >= 0 ? this.describeVersion(pid, v) : `none of the history's versions (${this.versionCount(pid)})`;
  }

  /** The fields a document carries that the row does not explain, and what they hold. */
  unexpectedDetail(doc: EsDoc, fields: readonly string[]): string {
    const each = fields.map((f) => `${f} ${show(doc._source[f])}`).join(', ');
    return (
      `the document equals the row but also carries ${each}: no column explains it (a sink's or an unapplied ` +
      "unwrap's leftovers?) and the definition declares none"
    );
  }

  missingDetail(pid: JoinKey, row: Row): string {
    return `no document; the row is ${this.describeRow(pid, row)}`;
  }

  zombieDetail(pid: JoinKey, doc: EsDoc): string {
    return `${this.absence(pid)}; the document equals ${this.describeDoc(pid, doc, null)}`;
  }

  /** The `_id` the row's document must have, named: "the product_id 7", or "its doc_id \"eu/1\"". */
  private expectedId(pid: JoinKey, row: Row): string {
    const column = this.order.table.idColumn;
    if (column !== undefined) return `its ${column} ${show(this.order.docId(pid, row))}`;
    return `the ${this.keyName} ${this.order.numeric ? pid : show(this.order.docId(pid, row))}`;
  }

  wrongIdDetail(pid: JoinKey, doc: EsDoc, row: Row): string {
    return (
      `_id ${show(doc._id)} is not ${this.expectedId(pid, row)}: ` +
      'an update or delete addressed ' +
      `by key never reaches this document; it equals ${this.describeDoc(pid, doc, row)}`
    );
  }

  duplicateDetail(pid: JoinKey, row: Row | null, docs: EsDoc[]): string {
    const each = docs.map((d) => `_id ${d._id} equals ${this.describeDoc(pid, d, row)}`).join(', ');
    return `${docs.length} documents: ${each}${row === null ? `; ${this.absence(pid)}` : ''}`;
  }

  /** Why there is no row, as far as the history knows. */
  absence(pid: JoinKey): string {
    const slot = this.slot(pid);
    if (slot < 0) return `no row in Postgres, and the history never wrote this ${this.keyName}`;
    const last = versionAt(this.versions, slot, this.versions.starts[slot + 1]! - 1);
    if (last.deleted)
      return `no row in Postgres: deleted at op #${last.seq}${last.possible ? ' (outcome unknown)' : ''}`;
    return (
      `no row in Postgres, though the history's last state ` +
      `(version ${last.number}, op #${last.seq}) is not a delete`
    );
  }
}

/** A value for a one-line detail, cut short. */
export function show(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
