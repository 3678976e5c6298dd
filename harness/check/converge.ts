import type { Comparison, Verdict } from '../record/anomalies.ts';

export interface ConvergenceOptions {
  /** Takes one snapshot of both stores and compares them (refresh, read, compare). */
  snapshot: () => Promise<Comparison>;
  /** Epoch ms when the last fault healed and the workload stopped: time to convergence counts from here. */
  startMs: number;
  /** Equal within this many ms of startMs → converged. */
  budgetMs: number;
  /** Give up this many ms after startMs (≥ budgetMs, e.g. 3 × budget); equal before it → converged-late. */
  deadlineMs: number;
  /** Pause between the end of one snapshot and the start of the next. */
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called after every successful snapshot, e.g. to log progress. */
  onPoll?: (comparison: Comparison, elapsedMs: number) => void;
}

export interface ConvergenceResult {
  verdict: Verdict;
  /** ms from startMs to the start of the first equal snapshot; null when diverged. */
  timeToConvergenceMs: number | null;
  /** Snapshots attempted, failed ones included. */
  attempts: number;
  /** The last successful comparison (the equal one, or the evidence of divergence). */
  last: Comparison;
  /** The last snapshot error, if any snapshot failed (a store may still be recovering from a fault). */
  lastError?: string;
}

/**
 * Polls snapshots until they compare equal or the deadline passes. Free of I/O itself (clock, sleep and
 * snapshot are injected), so its verdicts are unit-tested with a fake clock.
 *
 * Equality is dated at the *start* of the snapshot that saw it: the readers fix their views first (index
 * refresh + point in time, repeatable-read transaction), so that is when the stores were equal; a snapshot of
 * a million rows takes seconds, which would otherwise be charged to the pipeline. A snapshot that starts
 * before the deadline counts even if it ends after it. The last poll is timed to start at the deadline, so
 * "diverged" always means "not equal at the deadline".
 *
 * A failing snapshot (Elasticsearch still restarting after a fault) is not a verdict: the loop keeps polling.
 * If no snapshot at all succeeded by the deadline there is nothing to judge by, and it throws.
 */
export async function awaitConvergence(options: ConvergenceOptions): Promise<ConvergenceResult> {
  const { snapshot, startMs, budgetMs, deadlineMs, pollMs } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (!(budgetMs >= 0) || !(deadlineMs >= budgetMs) || !(pollMs > 0)) {
    throw new RangeError(`awaitConvergence: need 0 ≤ budgetMs ≤ deadlineMs and pollMs > 0 (got ${budgetMs}, ${deadlineMs}, ${pollMs})`);
  }
  const deadline = startMs + deadlineMs;
  let attempts = 0;
  let last: Comparison | undefined;
  let lastError: string | undefined;

  for (;;) {
    const takenAt = now();
    attempts++;
    try {
      last = await snapshot();
      options.onPoll?.(last, takenAt - startMs);
      if (last.equal) {
        const elapsed = Math.max(0, takenAt - startMs);
        const verdict: Verdict = elapsed <= budgetMs ? 'converged' : 'converged-late';
        return withError({ verdict, timeToConvergenceMs: elapsed, attempts, last }, lastError);
      }
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }

    // Past the deadline: the poll that just ended was the last (timed to start at the deadline, or a slow one
    // that started before it and ran past it; either way the stores were not equal at the deadline).
    const remaining = deadline - now();
    if (remaining <= 0) {
      if (last === undefined) {
        throw new Error(
          `awaitConvergence: no snapshot succeeded within ${deadlineMs} ms (${attempts} attempts); last error: ${lastError}`,
        );
      }
      return withError({ verdict: 'diverged', timeToConvergenceMs: null, attempts, last }, lastError);
    }
    await sleep(Math.min(pollMs, remaining));
  }
}

function withError(result: ConvergenceResult, lastError: string | undefined): ConvergenceResult {
  return lastError === undefined ? result : { ...result, lastError };
}
