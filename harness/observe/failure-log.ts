import { errorMessage } from '../util/errors.ts';

export type LogLine = (line: string) => void;

/**
 * Failures of one observer. Faults take services down on purpose, so a failing observer is normal: it logs at
 * most one line per `everyMs` (folding the rest into a count) and never throws.
 */
export class FailureLog {
  /** All failures since the start. */
  failures = 0;
  private sinceLine = 0;
  private lastLineAt = Number.NEGATIVE_INFINITY;
  private failing = false;

  constructor(
    readonly name: string,
    private readonly log: LogLine,
    private readonly everyMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  fail(err: unknown): void {
    this.failures++;
    this.sinceLine++;
    this.failing = true;
    const msg = (errorMessage(err).split('\n')[0] ?? '').slice(0, 240);
    const more = this.sinceLine > 1 ? ` (${this.sinceLine} failures since the last line)` : '';
    if (this.line(`observe/${this.name}: ${msg}${more}`)) this.sinceLine = 0;
  }

  /**
   * A success after failures says so, within the same line budget: when the budget is spent, a later success
   * says it instead (so the log never ends on a failure that has passed).
   */
  ok(): void {
    if (!this.failing) return;
    if (this.line(`observe/${this.name}: recovered`)) {
      this.failing = false;
      this.sinceLine = 0;
    }
  }

  private line(text: string): boolean {
    const t = this.now();
    if (t - this.lastLineAt < this.everyMs) return false;
    this.lastLineAt = t;
    this.log(text);
    return true;
  }
}
