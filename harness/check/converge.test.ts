import { describe, expect, it } from 'vitest';
import type { Comparison } from '../record/anomalies.ts';
import { awaitConvergence, type ConvergenceOptions } from './converge.ts';

function comparison(equal: boolean): Comparison {
  const zero = { missing: 0, zombie: 0, stale: 0, corrupt: 0, duplicate: 0 };
  return {
    equal,
    pgRows: 10,
    esDocs: equal ? 10 : 9,
    counts: equal ? zero : { ...zero, missing: 1 },
    examples: { missing: [], zombie: [], stale: [], corrupt: [], duplicate: [] },
  };
}

/**
 * A fake clock starting at 1000 (the heal moment). Each snapshot takes `snapshotMs` and comes back equal once
 * it *starts* at or after `equalFrom` (absolute ms), or throws while `failUntil` has not passed.
 */
function scenario(opts: { equalFrom: number; snapshotMs?: number; failUntil?: number }): {
  options: Pick<ConvergenceOptions, 'snapshot' | 'now' | 'sleep' | 'startMs'>;
  starts: number[];
} {
  let t = 1000;
  const starts: number[] = [];
  return {
    starts,
    options: {
      startMs: 1000,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
      snapshot: async () => {
        const startedAt = t;
        starts.push(startedAt);
        t += opts.snapshotMs ?? 0;
        if (opts.failUntil !== undefined && startedAt < opts.failUntil) throw new Error('connection refused');
        return comparison(startedAt >= opts.equalFrom);
      },
    },
  };
}

describe('awaitConvergence', () => {
  it('converged: equal at once', async () => {
    const { options } = scenario({ equalFrom: 0 });
    const r = await awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 15000, pollMs: 500 });
    expect(r).toMatchObject({ verdict: 'converged', timeToConvergenceMs: 0, attempts: 1 });
    expect(r.last.equal).toBe(true);
  });

  it('converged: equal within the budget, timed from the start of the snapshot that saw it', async () => {
    const { options, starts } = scenario({ equalFrom: 3200, snapshotMs: 100 });
    const r = await awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 15000, pollMs: 500 });
    // Snapshots start at 1000, 1600, 2200, 2800, 3400: each takes 100 ms, then a 500 ms pause.
    expect(starts).toEqual([1000, 1600, 2200, 2800, 3400]);
    expect(r).toMatchObject({ verdict: 'converged', timeToConvergenceMs: 2400, attempts: 5 });
  });

  it('converged: equal exactly at the budget', async () => {
    const { options } = scenario({ equalFrom: 6000 });
    const r = await awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 15000, pollMs: 1000 });
    expect(r).toMatchObject({ verdict: 'converged', timeToConvergenceMs: 5000 });
  });

  it('converged-late: equal after the budget, before the deadline', async () => {
    const { options } = scenario({ equalFrom: 9000 });
    const r = await awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 15000, pollMs: 1000 });
    expect(r).toMatchObject({ verdict: 'converged-late', timeToConvergenceMs: 8000, attempts: 9 });
  });

  it('diverged: never equal; the last snapshot is taken at the deadline', async () => {
    const { options, starts } = scenario({ equalFrom: Infinity });
    const r = await awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 15000, pollMs: 4000 });
    expect(starts).toEqual([1000, 5000, 9000, 13000, 16000]);
    expect(r).toMatchObject({ verdict: 'diverged', timeToConvergenceMs: null, attempts: 5 });
    expect(r.last.equal).toBe(false);
    expect(r.last.counts.missing).toBe(1);
  });

  it('diverged: equality that would only come after the deadline does not count', async () => {
    const { options } = scenario({ equalFrom: 16001 });
    const r = await awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 15000, pollMs: 1000 });
    expect(r.verdict).toBe('diverged');
  });

  it('keeps polling through failing snapshots and reports the last error', async () => {
    const { options } = scenario({ equalFrom: 0, failUntil: 2500 });
    const r = await awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 15000, pollMs: 1000 });
    expect(r).toMatchObject({ verdict: 'converged', timeToConvergenceMs: 2000, attempts: 3, lastError: 'connection refused' });
  });

  it('throws when no snapshot ever succeeded: there is nothing to judge by', async () => {
    const { options } = scenario({ equalFrom: 0, failUntil: Infinity });
    await expect(awaitConvergence({ ...options, budgetMs: 1000, deadlineMs: 3000, pollMs: 1000 })).rejects.toThrow(
      /no snapshot succeeded within 3000 ms \(4 attempts\); last error: connection refused/,
    );
  });

  it('rejects a deadline before the budget', async () => {
    const { options } = scenario({ equalFrom: 0 });
    await expect(awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 1000, pollMs: 100 })).rejects.toThrow(RangeError);
  });
});
