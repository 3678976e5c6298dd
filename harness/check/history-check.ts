import type { SetupError } from '../record/anomalies.ts';
import type { ProductRow } from '../record/history.ts';
import { fingerprintRow } from './fingerprint.ts';
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

  constructor(
    private readonly versions: VersionsIndex,
    private readonly maxExamples: number,
  ) {}

  /** A Postgres row, in product_id order. */
  row(row: ProductRow): void {
    const slot = this.crossCheckUpTo(row.product_id);
    if (slot < 0) return; // not the workload's (preloaded rows, rows from before the run)
    const fp = fingerprintRow(row);
    const { lo, hi, last } = this.finalStates(slot);
    for (let v = Math.max(last, lo); v < hi; v++) if (this.versions.fingerprints[v] === fp) return;
    // An unknown-outcome insert is recorded as intended, without the created_at the server would have given it.
    const untimed = fingerprintRow({ ...row, created_at: null });
    for (let v = Math.max(last, lo); v < hi; v++)
      if ((this.versions.flags[v]! & VERSION_POSSIBLE) !== 0 && this.versions.fingerprints[v] === untimed) return;
    const found = findVersion(this.versions, slot, fp);
    const what =
      found >= 0
        ? `${describeVersion(this.versions, slot, found)}, which a later committed operation replaced`
        : 'no version the history wrote';
    this.setupError(
      row.product_id,
      `Postgres holds ${what}; the history's last committed state is ${this.describeFinal(slot, last)}`,
    );
  }

  /** Checks what Postgres did not have up to the end; the setup errors found. */
  finish(): { count: number; examples: SetupError[] } {
    this.crossCheckUpTo(Infinity);
    return { count: this.count, examples: this.examples };
  }

  /**
   * Checks every history product below `pid`, which Postgres does not have, for whether it may be absent;
   * returns the slot of `pid` itself (-1 when the history never wrote it).
   */
  private crossCheckUpTo(pid: number): number {
    const pids = this.versions.pids;
    while (this.checked < pids.length && pids[this.checked]! < pid) {
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

  private setupError(pid: number, detail: string): void {
    this.count++;
    if (this.examples.length < this.maxExamples) this.examples.push({ product_id: pid, detail });
  }
}
