import type { OpKind, Outcome } from '../record/history.ts';

/** Counters shared by the workers of one run (single-threaded, so plain fields). */
export class DriverStats {
  recorded = 0;
  byKind: Record<OpKind, number> = { insert: 0, update: 0, delete: 0, reinsert: 0, txn: 0 };
  byOutcome: Record<Outcome, number> = { ok: 0, failed: 0, unknown: 0 };
  /** Postgres transactions attempted (a batch or a single op each). */
  transactions = 0;
  /** Steps of ok ops that changed a row, and those that matched none (e.g. update of a row whose insert failed). */
  rowsChanged = 0;
  noopSteps = 0;
  reconnects = 0;
  connectFailures = 0;
  connected = 0;
  lastError: string | null = null;
  /**
   * Writes the application makes beyond Postgres (outbox rows after the commit, dual writes): done, failed,
   * skipped.
   */
  app = { written: 0, failed: 0, skipped: 0 };
  private readonly errors = new Map<string, number>();

  error(text: string): void {
    this.lastError = text;
    // Bounded: error texts carry ids; keep the first distinct 50, count the rest under their kind.
    const key = this.errors.has(text) || this.errors.size < 50 ? text : '(other errors)';
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  topErrors(limit = 10): { message: string; count: number }[] {
    return [...this.errors.entries()]
      .map(([message, count]) => ({ message, count }))
      .sort((a, b) => b.count - a.count)
      .slice(0, limit);
  }
}
