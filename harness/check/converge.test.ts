import { describe, expect, it } from 'vitest';
import { ANOMALY_CLASSES, type AnomalyClass, type Comparison } from '../record/anomalies.ts';
import { awaitConvergence, type ConvergenceOptions } from './converge.ts';

function comparison(equal: boolean, cls: AnomalyClass = 'missing'): Comparison {
  const zero = Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, 0])) as Record<AnomalyClass, number>;
  return {
    equal,
    pgRows: 10,
    esDocs: equal ? 10 : 9,
    counts: equal ? zero : { ...zero, [cls]: 1 },
    examples: Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, []])) as unknown as Comparison['examples'],
    setupErrors: { count: 0, examples: [] },
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
    // Equal at 1000, and still at 1500 and 2000: the default (and shortest) settle window is 1 s.
    expect(r).toMatchObject({ verdict: 'converged', timeToConvergenceMs: 0, attempts: 3, settleSnapshots: 3 });
    expect(r.last.equal).toBe(true);
  });

  it('converged: equal within the budget, timed from the start of the snapshot that saw it', async () => {
    const { options, starts } = scenario({ equalFrom: 3200, snapshotMs: 100 });
    const r = await awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 15000, pollMs: 500 });
    // Snapshots start at 1000, 1600, 2200, 2800, 3400: each takes 100 ms, then a 500 ms pause; then the settle
    // window's snapshots, the last exactly 1 s after the first equal one.
    expect(starts).toEqual([1000, 1600, 2200, 2800, 3400, 4000, 4400]);
    expect(r).toMatchObject({ verdict: 'converged', timeToConvergenceMs: 2400, attempts: 7 });
  });

  it('converged: equal exactly at the budget', async () => {
    const { options } = scenario({ equalFrom: 6000 });
    const r = await awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 15000, pollMs: 1000 });
    expect(r).toMatchObject({ verdict: 'converged', timeToConvergenceMs: 5000 });
  });

  it('converged-late: equal after the budget, before the deadline', async () => {
    const { options } = scenario({ equalFrom: 9000 });
    const r = await awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 15000, pollMs: 1000 });
    expect(r).toMatchObject({ verdict: 'converged-late', timeToConvergenceMs: 8000, attempts: 10 });
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
    expect(r).toMatchObject({
      verdict: 'converged',
      timeToConvergenceMs: 2000,
      attempts: 4,
      lastError: 'connection refused',
    });
  });

  it('has no lastError field at all when every snapshot succeeded, converged or not', async () => {
    const converged = await awaitConvergence({
      ...scenario({ equalFrom: 0 }).options,
      budgetMs: 5000,
      deadlineMs: 15000,
      pollMs: 500,
    });
    const diverged = await awaitConvergence({
      ...scenario({ equalFrom: Infinity }).options,
      budgetMs: 1000,
      deadlineMs: 2000,
      pollMs: 500,
    });
    expect([converged.verdict, diverged.verdict]).toEqual(['converged', 'diverged']);
    expect(Object.keys(converged)).not.toContain('lastError');
    expect(Object.keys(diverged)).not.toContain('lastError');
  });

  it('throws when no snapshot ever succeeded: there is nothing to judge by', async () => {
    const { options } = scenario({ equalFrom: 0, failUntil: Infinity });
    await expect(awaitConvergence({ ...options, budgetMs: 1000, deadlineMs: 3000, pollMs: 1000 })).rejects.toThrow(
      /no snapshot succeeded within 3000 ms \(4 attempts\); last error: connection refused/,
    );
  });

  it('rejects a deadline before the budget', async () => {
    const { options } = scenario({ equalFrom: 0 });
    await expect(awaitConvergence({ ...options, budgetMs: 5000, deadlineMs: 1000, pollMs: 100 })).rejects.toThrow(
      RangeError,
    );
  });

  it('rejects a negative budget and a poll interval that is not positive, naming what it got', async () => {
    const { options } = scenario({ equalFrom: 0 });
    await expect(awaitConvergence({ ...options, budgetMs: -1, deadlineMs: 1000, pollMs: 100 })).rejects.toThrow(
      'awaitConvergence: need 0 ≤ budgetMs ≤ deadlineMs, pollMs > 0 and settleMs ≥ 1000 (got -1, 1000, 100, 1000)',
    );
    await expect(awaitConvergence({ ...options, budgetMs: 0, deadlineMs: 1000, pollMs: 0 })).rejects.toThrow(
      RangeError,
    );
    await expect(awaitConvergence({ ...options, budgetMs: 0, deadlineMs: 1000, pollMs: -5 })).rejects.toThrow(
      RangeError,
    );
  });

  it('accepts a zero budget and a deadline equal to the budget', async () => {
    const zero = await awaitConvergence({
      ...scenario({ equalFrom: 0 }).options,
      budgetMs: 0,
      deadlineMs: 0,
      pollMs: 100,
    });
    expect(zero).toMatchObject({ verdict: 'converged', timeToConvergenceMs: 0 });
    const late = await awaitConvergence({
      ...scenario({ equalFrom: 2000 }).options,
      budgetMs: 0,
      deadlineMs: 5000,
      pollMs: 1000,
    });
    expect(late).toMatchObject({ verdict: 'converged-late', timeToConvergenceMs: 1000 });
  });

  it('reports every successful snapshot to onPoll, with the time since startMs at its start', async () => {
    const { options } = scenario({ equalFrom: 3000, snapshotMs: 100, failUntil: 1500 });
    const polls: [boolean, number][] = [];
    await awaitConvergence({
      ...options,
      budgetMs: 5000,
      deadlineMs: 15000,
      pollMs: 500,
      onPoll: (c, elapsed) => polls.push([c.equal, elapsed]),
    });
    // The first snapshot (at 1000) failed: not reported.
    expect(polls).toEqual([
      [false, 600],
      [false, 1200],
      [false, 1800],
      [true, 2400],
      [true, 3000],
      [true, 3400],
    ]);
  });

  it('uses the real clock and waits pollMs between snapshots when none is injected', async () => {
    const starts: number[] = [];
    const r = await awaitConvergence({
      startMs: Date.now(),
      budgetMs: 5000,
      deadlineMs: 5000,
      pollMs: 40,
      snapshot: async () => {
        starts.push(Date.now());
        return comparison(starts.length >= 3);
      },
    });
    expect(r.verdict).toBe('converged');
    expect(starts.length).toBeGreaterThan(3);
    // Timers may fire a millisecond early; a sleep that did not wait at all would show gaps near 0.
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(35);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(35);
  });

  describe('settle window', () => {
    /** Snapshots equal or not by their start time, from a list of [from, equal] switches (absolute ms). */
    function timeline(
      switches: [number, boolean][],
      snapshotMs = 50,
    ): Pick<ConvergenceOptions, 'snapshot' | 'now' | 'sleep' | 'startMs'> & { starts: number[] } {
      let t = 1000;
      const starts: number[] = [];
      return {
        starts,
        startMs: 1000,
        now: () => t,
        sleep: async (ms) => {
          t += ms;
        },
        snapshot: async () => {
          const at = t;
          starts.push(at);
          t += snapshotMs;
          const equal = [...switches].reverse().find(([from]) => at >= from)?.[1] ?? false;
          return comparison(equal, 'stale');
        },
      };
    }

    it('equality must hold on a snapshot settleMs later; time to convergence is the first equal one', async () => {
      const o = timeline([[2000, true]]);
      const r = await awaitConvergence({ ...o, budgetMs: 5000, deadlineMs: 15000, pollMs: 500, settleMs: 2000 });
      expect(r).toMatchObject({ verdict: 'converged', timeToConvergenceMs: 1100, flaps: [] });
      // The confirming snapshot starts exactly settleMs after the first equal one.
      expect(o.starts.at(-1)! - o.starts.find((x) => x >= 2000)!).toBe(2000);
    });

    it('flapped: equal, then differing again (a late overwrite), then equal for good', async () => {
      const o = timeline([
        [1500, true],
        [2500, false],
        [4000, true],
      ]);
      const r = await awaitConvergence({ ...o, budgetMs: 5000, deadlineMs: 15000, pollMs: 500, settleMs: 2000 });
      expect(r.verdict).toBe('flapped');
      expect(r.flaps).toHaveLength(1);
      expect(r.flaps[0]).toMatchObject({ equalAtMs: 550, differedAtMs: 1650 });
      // The evidence is the differing snapshot, not the final equal one.
      expect(r.last.counts.stale).toBe(1);
      expect(r.timeToConvergenceMs).toBeGreaterThanOrEqual(3000);
    });

    it('refuses a window below the floor: one equal snapshot is not "settled" (the blind spot it closes)', async () => {
      const o = timeline([
        [1500, true],
        [2500, false],
      ]);
      for (const settleMs of [0, 500, 999])
        await expect(
          awaitConvergence({ ...o, budgetMs: 5000, deadlineMs: 15000, pollMs: 500, settleMs }),
        ).rejects.toThrow(/settleMs ≥ 1000/);
      const settled = await awaitConvergence({
        ...timeline([
          [1500, true],
          [2500, false],
        ]),
        budgetMs: 5000,
        deadlineMs: 15000,
        pollMs: 500,
        settleMs: 2000,
      });
      expect(settled.verdict).toBe('diverged');
      expect(settled.flaps).toHaveLength(1);
    });

    it('an equality seen just before the deadline may settle after it', async () => {
      const o = timeline([[15_900, true]]);
      const r = await awaitConvergence({ ...o, budgetMs: 5000, deadlineMs: 15000, pollMs: 500, settleMs: 2000 });
      expect(r.verdict).toBe('converged-late');
      expect(r.timeToConvergenceMs).toBe(15_000);
    });

    it(
      'an equality first seen after the deadline does not ' + 'settle: a timer that fired late does not extend it',
      async () => {
        // Every sleep overshoots by 30 ms, so the poll meant for the deadline (16 000) starts at 16 030, and that is
        // the first equal snapshot: the stores were not equal at the deadline.
        const o = timeline([[15_950, true]], 0);
        const late = { ...o, sleep: async (ms: number) => o.sleep!(ms + 30) };
        const r = await awaitConvergence({ ...late, budgetMs: 5000, deadlineMs: 15000, pollMs: 500, settleMs: 2000 });
        expect(o.starts.at(-1)).toBe(16_030);
        expect(r).toMatchObject({ verdict: 'diverged', timeToConvergenceMs: null });
      },
    );

    it('a failed snapshot inside the window is no look: the window is held again by successful ones', async () => {
      let t = 1000;
      const r = await awaitConvergence({
        startMs: 1000,
        now: () => t,
        sleep: async (ms) => {
          t += ms;
        },
        snapshot: async () => {
          if (t >= 1400 && t < 2400) throw new Error('connection refused');
          return comparison(true);
        },
        budgetMs: 5000,
        deadlineMs: 15000,
        pollMs: 500,
        settleMs: 1000,
      });
      // Equal at 1000, no look at 1500 and 2000: equality counts from 2500, held at 3000 and 3500.
      expect(r).toMatchObject({ verdict: 'converged', timeToConvergenceMs: 1500, settleSnapshots: 3 });
    });

    it('refuses a negative settle window', async () => {
      await expect(
        awaitConvergence({ ...timeline([]), budgetMs: 1, deadlineMs: 2, pollMs: 1, settleMs: -1 }),
      ).rejects.toThrow(RangeError);
    });
  });
});

describe('awaitConvergence: when it asks stopEarly', () => {
  /**
   * Snapshots at 1000, 1600, 2200, … (startMs 1000; each takes 100 ms, then comes a 500 ms poll): `looks[i]` is
   * what the i-th finds.
   */
  function polls(looks: ('fail' | 'differ' | 'equal')[]): Pick<ConvergenceOptions, 'snapshot' | 'now' | 'sleep'> {
    let t = 1000;
    let i = 0;
    return {
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
      snapshot: async () => {
        const look = looks[Math.min(i++, looks.length - 1)];
        t += 100;
        if (look === 'fail') throw new Error('connection refused');
        return comparison(look === 'equal');
      },
    };
  }
  const timing = { startMs: 1000, budgetMs: 5000, deadlineMs: 15000, pollMs: 500, settleMs: 1000 };

  it('after each look that is not equal, once one succeeded, with the ms from startMs to its start', async () => {
    const asked: [boolean | undefined, number][] = [];
    const r = await awaitConvergence({
      ...polls(['fail', 'differ', 'fail', 'equal', 'equal', 'equal']),
      ...timing,
      stopEarly: (c, elapsedMs) => {
        asked.push([c?.equal, elapsedMs]);
        return undefined;
      },
    });
    expect(asked).toEqual([
      [false, 600],
      [undefined, 1200],
    ]);
    expect(r).toMatchObject({ verdict: 'converged', timeToConvergenceMs: 1800 });
  });

  it('ends the wait when it gives a reason, dated when it was given', async () => {
    const r = await awaitConvergence({
      ...polls(['differ']),
      ...timing,
      stopEarly: (_c, elapsedMs) => (elapsedMs >= 1000 ? 'cannot converge' : undefined),
    });
    expect(r).toMatchObject({
      verdict: 'diverged',
      timeToConvergenceMs: null,
      attempts: 3,
      settleSnapshots: 0,
      endedEarly: { atMs: 1300, reason: 'cannot converge' },
    });
  });
});
