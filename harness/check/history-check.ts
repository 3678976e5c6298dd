import { PRODUCTS } from '../model/products.ts';
import { isComputed, type Row, type TableModel, type Value } from '../model/table.ts';
import type { SetupError } from '../record/anomalies.ts';
import { fingerprintOf, type Fingerprint } from './fingerprint.ts';
import { keyOrderOf, type JoinKey, type KeyOrder } from './keys.ts';
import {
  describeVersion,
  findVersion,
  VERSION_DELETED,
  VERSION_POSSIBLE,
  versionAt,
  type VersionsIndex,
} from './versions.ts';

/**
 * Postgres against the history, in step with the merge-join: every product the history wrote must be in the
 * state its last committed operation left (or one an unknown-outcome operation after it may have left), and a
 * product it deleted must be gone. Anything else is a setup error (the wrong table, another writer).
 */
export class HistoryCheck {
  private count = 0;
  private readonly examples: SetupError[] = [];
  /** Every history product below this position has been checked against Postgres. */
  private checked = 0;
  private readonly table: TableModel;
  private readonly order: KeyOrder;
  private readonly fingerprint: (row: Row) => Fingerprint;
  /** Columns the server fills by default (products: created_at), absent from an unknown-outcome insert's intent. */
  private readonly serverFilled: Readonly<Record<string, Value>>;
  /** Computed columns (isComputed), which an unknown-outcome write's intent cannot know either (undefined: none). */
  private readonly computed: Readonly<Record<string, Value>> | undefined;

  constructor(
    private readonly versions: VersionsIndex,
    private readonly maxExamples: number,
  ) {
    this.table = versions.table ?? PRODUCTS;
    this.order = keyOrderOf(this.table);
    this.fingerprint = fingerprintOf(this.table);
    this.serverFilled = Object.fromEntries(
      this.table.columns
        .filter((c) => c.default !== null && !this.table.key.includes(c.name))
        .map((c) => [c.name, null]),
    );
    const generated = this.table.columns.filter((c) => isComputed(this.table, c));
    this.computed = generated.length ? Object.fromEntries(generated.map((c) => [c.name, null])) : undefined;
  }

  /** A Postgres row, in key order. */
  row(row: Row): void {
    const key = this.order.ofRow(row);
    const slot = this.crossCheckUpTo(key);
    if (slot < 0) return; // not the workload's (preloaded rows, rows from before the run)
    const fp = this.fingerprint(row);
    const { lo, hi, last } = this.finalStates(slot);
    for (let v = Math.max(last, lo); v < hi; v++) if (this.versions.fingerprints[v] === fp) return;
    // An unknown-outcome insert is recorded as intended, without the created_at the server would have given it.
    const untimed = this.fingerprint({ ...row, ...this.serverFilled });
    const uncomputed = this.computed && this.fingerprint({ ...row, ...this.computed });
    for (let v = Math.max(last, lo); v < hi; v++) {
      if ((this.versions.flags[v]! & VERSION_POSSIBLE) === 0) continue;
      const f = this.versions.fingerprints[v];
      if (f === untimed || f === uncomputed) return;
    }
    const found = findVersion(this.versions, slot, fp);
    const what =
      found >= 0
        ? `${describeVersion(this.versions, slot, found)}, which a later committed operation replaced`
        : 'no version the history wrote';
    this.setupError(
      key,
      `Postgres holds ${what}; the history's last committed state is ${this.describeFinal(slot, last)}`,
    );
  }

  /** Checks what Postgres did not have up to the end; the setup errors found. */
  finish(): { count: number; examples: SetupError[] } {
    this.crossCheckUpTo(undefined);
    return { count: this.count, examples: this.examples };
  }

  /**
   * Checks every history key below `pid` (undefined: all), which Postgres does not have, for whether it may be
   * absent; returns the slot of `pid` itself (-1 when the history never wrote it).
   */
  private crossCheckUpTo(pid: JoinKey | undefined): number {
    const pids = this.versions.keys;
    while (this.checked < pids.length && (pid === undefined || pids[this.checked]! < pid)) {
      const slot = this.checked++;
      const { lo, hi, last } = this.finalStates(slot);
      let absentOk = last < 0;
      for (let v = Math.max(last, lo); v < hi && !absentOk; v++)
        if ((this.versions.flags[v]! & VERSION_DELETED) !== 0) absentOk = true;
      if (!absentOk)
        this.setupError(
          pids[slot]!,
          `Postgres has no row, but the history's last committed state is ${this.describeFinal(slot, last)}`,
        );
    }
    if (this.checked < pids.length && pids[this.checked] === pid) return this.checked++;
    return -1;
  }

  /** The product's versions [lo, hi) and its last certainly committed one (-1: none, it may never have existed). */
  private finalStates(slot: number): { lo: number; hi: number; last: number } {
    const lo = this.versions.starts[slot]!;
    const hi = this.versions.starts[slot + 1]!;
    let last = hi - 1;
    while (last >= lo && (this.versions.flags[last]! & VERSION_POSSIBLE) !== 0) last--;
    return { lo, hi, last: last >= lo ? last : -1 };
  }

  private describeFinal(slot: number, last: number): string {
    if (last < 0) return 'none (only unknown-outcome operations)';
    const info = versionAt(this.versions, slot, last);
    return `${info.deleted ? 'a delete' : `version ${info.number} of ${info.of}`} (op #${info.seq})`;
  }

  private setupError(key: JoinKey, detail: string): void {
    this.count++;
    if (this.examples.length >= this.maxExamples) return;
    if (this.table === PRODUCTS) this.examples.push({ product_id: key as number, detail });
    else this.examples.push({ product_id: typeof key === 'number' ? key : -1, key: String(key), detail });
  }
}
