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
  /**
   * Equality must still hold on a snapshot starting at least this long after the first equal one, every
   * snapshot between them successful and equal (at least MIN_SETTLE_MS, the default). A late replayed or
   * reordered write that lands within the window is seen.
   */
  settleMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called after every successful snapshot, e.g. to log progress. */
  onPoll?: (comparison: Comparison, elapsedMs: number) => void;
  /**
   * Asked after every snapshot that did not find the stores equal (undefined: it failed), with the ms since
   * startMs at its start: a reason ends the wait at once with the deadline's verdict, diverged (see
   * early-verdict.ts for when the evidence allows it).
   */
  stopEarly?: (comparison: Comparison | undefined, elapsedMs: number) => string | undefined;
}

/** The stores were equal, then differed again: a late overwrite. */
export interface Flap {
  /** ms from startMs to the start of the equal snapshot, and of the one that differed after it. */
  equalAtMs: number;
  differedAtMs: number;
  /** The comparison that differed: the evidence of what was overwritten. */
  comparison: Comparison;
}

export interface ConvergenceResult {
  verdict: Verdict;
  /** ms from startMs to the start of the first equal snapshot; null when diverged. */
  timeToConvergenceMs: number | null;
  /** Snapshots attempted, failed ones included. */
  attempts: number;
  /** The last successful comparison (the equal one, or the evidence of divergence). */
  last: Comparison;
  /** Every time the stores were equal and then differed again; a flap makes the verdict `flapped`. */
  flaps: Flap[];
  /** The last snapshot error, if any snapshot failed (a store may still be recovering from a fault). */
  lastError?: string;
  /** Successful equal snapshots across the settle window that made the verdict (0 when diverged). */
  settleSnapshots: number;
  /** Set when the wait ended before the deadline because nothing could change any more: when, and why. */
  endedEarly?: { atMs: number; reason: string };
}

/**
 * The shortest settle window: equality seen once is not equality that held. With the runner's 500 ms polls,
 * at least two more snapshots must look and agree.
 */
export const MIN_SETTLE_MS = 1000;

/**
 * Polls snapshots until they compare equal and stay equal for the settle window, or the deadline passes.
 * Free of I/O itself (clock, sleep and snapshot are injected), so its verdicts are unit-tested with a fake clock.
 *
 * Equality is dated at the *start* of the first snapshot that saw it: the readers fix their views first (index
 * refresh + point in time, repeatable-read transaction), so that is when the stores were equal; a snapshot of
 * a million rows takes seconds, which would otherwise be charged to the pipeline. It counts once a snapshot
 * starting `settleMs` later is still equal (every snapshot between them equal too). Stores that were equal and
 * then differed again flapped: a late overwrite, which is recorded and makes the verdict `flapped` even when
 * they settle later (and `diverged` when they never do). A snapshot that starts before the deadline counts even
 * if it ends after it, and an equality seen before the deadline may settle after it. The last poll is timed to
 * start at the deadline, so "diverged" always means "not equal at the deadline".
 *
 * A failing snapshot (Elasticsearch still restarting after a fault) is not a verdict: the loop keeps polling.
 * It does end a run of equal snapshots, though (not as a flap): a window is held only by successful looks
 * across it, and the result says how many there were. If no snapshot at all succeeded by the deadline there
 * is nothing to judge by, and it throws.
 */
export async function awaitConvergence(options: ConvergenceOptions): Promise<ConvergenceResult> {
  const { snapshot, startMs, budgetMs, deadlineMs, pollMs } = options;
  const settleMs = options.settleMs ?? MIN_SETTLE_MS;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (!(budgetMs >= 0) || !(deadlineMs >= budgetMs) || !(pollMs > 0) || !(settleMs >= MIN_SETTLE_MS)) {
    throw new RangeError(
      `awaitConvergence: need 0 ≤ budgetMs ≤ deadlineMs, pollMs > 0 and settleMs ≥ ${MIN_SETTLE_MS} ` +
        `(got ${budgetMs}, ${deadlineMs}, ${pollMs}, ${settleMs})`,
    );
  }
  const deadline = startMs + deadlineMs;
  const flaps: Flap[] = [];
  let attempts = 0;
  let last: Comparison | undefined;
  let lastError: string | undefined;
  /** Start of the first snapshot of the current run of equal ones, and how many successful ones it has. */
  let equalSince: number | undefined;
  let equalCount = 0;
  /** The snapshot that just ended, offered to stopEarly (undefined when it failed). */
  let offered: Comparison | undefined;

  for (;;) {
    const takenAt = now();
    attempts++;
    offered = undefined;
    try {
      last = await snapshot();
      offered = last;
      options.onPoll?.(last, takenAt - startMs);
      if (last.equal) {
        equalSince ??= takenAt;
        equalCount++;
        if (takenAt - equalSince >= settleMs) {
          const elapsed = Math.max(0, equalSince - startMs);
          const verdict: Verdict = flaps.length ? 'flapped' : elapsed <= budgetMs ? 'converged' : 'converged-late';
          const last_ = flaps.at(-1)?.comparison ?? last;
          return withError(
            { verdict, timeToConvergenceMs: elapsed, attempts, last: last_, flaps, settleSnapshots: equalCount },
            lastError,
          );
        }
      } else if (equalSince !== undefined) {
        flaps.push({ equalAtMs: equalSince - startMs, differedAtMs: takenAt - startMs, comparison: last });
        equalSince = undefined;
        equalCount = 0;
      }
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      // No look inside the window: the equality seen so far must be seen again, by successful snapshots.
      equalSince = undefined;
      equalCount = 0;
    }
    const reason =
      equalSince === undefined && last !== undefined ? options.stopEarly?.(offered, takenAt - startMs) : undefined;
    if (reason !== undefined && last !== undefined) {
      const endedEarly = { atMs: now() - startMs, reason };
      return withError(
        { verdict: 'diverged', timeToConvergenceMs: null, attempts, last, flaps, settleSnapshots: 0, endedEarly },
        lastError,
      );
    }

    // Past the deadline (and past the settle window of an equality seen before it): the poll that just ended
    // was the last, so the stores were not equal at the deadline.
    const until =
      equalSince !== undefined && equalSince <= deadline ? Math.max(deadline, equalSince + settleMs) : deadline;
    const remaining = until - now();
    if (remaining <= 0) {
      if (last === undefined) {
        throw new Error(
          `awaitConvergence: no snapshot succeeded within ${deadlineMs} ` +
            `ms (${attempts} attempts); last error: ${lastError}`,
        );
      }
      return withError(
        { verdict: 'diverged', timeToConvergenceMs: null, attempts, last, flaps, settleSnapshots: 0 },
        lastError,
      );
    }
    const toSettle = equalSince !== undefined ? equalSince + settleMs - now() : Infinity;
    await sleep(Math.max(0, Math.min(pollMs, remaining, toSettle)));
  }
}
function withError(result: ConvergenceResult, lastError: string | undefined): ConvergenceResult {
  return lastError === undefined ? result : { ...result, lastError };
}
