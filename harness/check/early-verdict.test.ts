import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANOMALY_CLASSES, type AnomalyClass, type Comparison } from '../record/anomalies.ts';
import { awaitConvergence } from './converge.ts';
import {
  DEFAULT_EARLY_STOP,
  decideEarlyStop,
  type ConnectorView,
  type EarlyStopPolicy,
  type Observation,
} from './early-verdict.ts';

const POLICY: EarlyStopPolicy = { ...DEFAULT_EARLY_STOP, restartable: new Set() };
const RUNNING: ConnectorView = { state: 'RUNNING', tasks: ['RUNNING'] };
const SINK_FAILED: ConnectorView = { state: 'RUNNING', tasks: ['FAILED'] };

/** A drained, running pipeline whose stores differ the same way: the base every case departs from. */
function obs(atMs: number, over: Partial<Observation> = {}): Observation {
  return {
    atMs,
    relay: true,
    snapshot: { equal: false, fingerprint: 'A' },
    slotLagBytes: 0,
    slotActive: true,
    consumerLag: 0,
    probeLagMs: 800,
    connectors: { source: RUNNING, sink: RUNNING },
    ...over,
  };
}

/** Observations every `stepMs` from 0 through `untilMs`, each shaped by `at`. */
function series(untilMs: number, at: (t: number) => Partial<Observation> = () => ({}), stepMs = 1000): Observation[] {
  const out: Observation[] = [];
  for (let t = 0; t <= untilMs; t += stepMs) out.push(obs(t, at(t)));
  return out;
}

/** The first moment (ms) at which the decision says stop, feeding the series one observation at a time. */
function stopsAt(all: readonly Observation[], policy = POLICY): number | undefined {
  for (let i = 1; i <= all.length; i++) if (decideEarlyStop(all.slice(0, i), policy).stop) return all[i - 1]!.atMs;
  return undefined;
}

describe('decideEarlyStop: ends the wait when nothing can change', () => {
  it('stops once the stores stayed different the same way for the quiet window, every hop drained', () => {
    expect(stopsAt(series(30_000))).toBe(10_000);
    const d = decideEarlyStop(series(10_000), POLICY);
    expect(d).toMatchObject({ stop: true, quietMs: 10_000, snapshots: 11 });
    if (d.stop)
      expect(d.reason).toBe(
        'no progress for 10.0 s (slot lag 0 B, consumer lag 0, probe lag 0.8 s, 11 identical snapshots)',
      );
  });

  it('stops sooner on a sink task FAILED with no operator rule, whatever its lag', () => {
    const all = series(30_000, () => ({ consumerLag: 900, connectors: { source: RUNNING, sink: SINK_FAILED } }));
    expect(stopsAt(all)).toBe(POLICY.failedQuietMs);
    const d = decideEarlyStop(all.slice(0, 5), POLICY);
    if (d.stop) expect(d.reason).toContain('sink FAILED, no operator rule restarts it');
  });

  it('stops on a FAILED source once the sink drained what reached Kafka', () => {
    const failed: ConnectorView = { state: 'RUNNING', tasks: ['FAILED'] };
    const lag = (t: number): number => Math.max(0, 400 - t / 10);
    const all = series(30_000, (t) => ({
      slotLagBytes: 5e6,
      consumerLag: lag(t),
      connectors: { source: failed, sink: RUNNING },
    }));
    // The sink is at rest (≤ 50 records) from 3.5 s on: the first observation at rest is 4 s, stop 4 s later.
    expect(stopsAt(all)).toBe(8_000);
  });

  it('stops for a pipeline without a relay (dual writes) after the quiet window', () => {
    const all = series(30_000, () => ({
      relay: false,
      connectors: {},
      slotLagBytes: undefined,
      consumerLag: undefined,
    }));
    expect(stopsAt(all)).toBe(10_000);
  });

  it('needs the minimum number of snapshots, not only the time', () => {
    expect(stopsAt(series(30_000, () => ({}), 10_000))).toBe(20_000);
  });
});

describe('decideEarlyStop: never while anything moves', () => {
  const cases: Array<[string, Observation[]]> = [
    [
      'slow but progressing: every snapshot differs from the one before',
      series(60_000, (t) => ({ snapshot: { equal: false, fingerprint: `fp${t}` } })),
    ],
    [
      'progressing every 5 s (under the quiet window)',
      series(60_000, (t) => ({ snapshot: { equal: false, fingerprint: `fp${Math.floor(t / 5000)}` } })),
    ],
    ['consumer lag above rest (still falling)', series(60_000, (t) => ({ consumerLag: 5000 - t / 20 }))],
    ['slot lag above rest', series(60_000, () => ({ slotLagBytes: 10 * 1024 * 1024 }))],
    // A source or sink stalled without failing: the markers stop arriving, the lags are still small.
    ['the probe lag growing (a hop stalled, no task FAILED)', series(60_000, (t) => ({ probeLagMs: 1000 + t }))],
    ['the probe lag not measured', series(60_000, () => ({ probeLagMs: undefined }))],
    ['slot not held by a walsender (the source reconnecting)', series(60_000, () => ({ slotActive: false }))],
    [
      'a sink task RESTARTING',
      series(60_000, () => ({ connectors: { source: RUNNING, sink: { state: 'RUNNING', tasks: ['RESTARTING'] } } })),
    ],
    [
      'a task UNASSIGNED (a rebalance)',
      series(60_000, () => ({ connectors: { source: { state: 'RUNNING', tasks: ['UNASSIGNED'] }, sink: RUNNING } })),
    ],
    [
      'a connector PAUSED',
      series(60_000, () => ({ connectors: { source: RUNNING, sink: { state: 'PAUSED', tasks: ['PAUSED'] } } })),
    ],
    ['a connector not known to Connect', series(60_000, () => ({ connectors: { source: RUNNING } }))],
    ['lag not measured', series(60_000, () => ({ consumerLag: undefined }))],
    ['slot lag not measured', series(60_000, () => ({ slotLagBytes: undefined }))],
    ['every snapshot fails', series(60_000, () => ({ snapshot: undefined }))],
    ['the stores are equal', series(60_000, () => ({ snapshot: { equal: true, fingerprint: 'E' } }))],
    // Stalled 8 s at a time (under the window), then a change: converged-late stays reachable.
    [
      'a brief stall then progress, again and again',
      series(60_000, (t) => ({ snapshot: { equal: false, fingerprint: `fp${Math.floor(t / 9000)}` } })),
    ],
  ];
  it.each(cases)('%s', (_name, all) => {
    expect(stopsAt(all)).toBeUndefined();
  });

  it('a FAILED task that an operator rule restarts is not final', () => {
    const all = series(60_000, () => ({ consumerLag: 900, connectors: { source: RUNNING, sink: SINK_FAILED } }));
    expect(stopsAt(all, { ...POLICY, restartable: new Set(['sink']) })).toBeUndefined();
  });

  it('a failed snapshot or a lag spike restarts the quiet window', () => {
    const gap = series(30_000, (t) => (t === 6_000 ? { snapshot: undefined } : {}));
    expect(stopsAt(gap)).toBe(17_000);
    const spike = series(30_000, (t) => (t === 6_000 ? { consumerLag: 51 } : {}));
    expect(stopsAt(spike)).toBe(17_000);
  });

  it('a brief stall then progress: the stall does not stop it, the window restarts at the change', () => {
    const all = series(40_000, (t) => ({ snapshot: { equal: false, fingerprint: t < 8_000 ? 'A' : 'B' } }));
    expect(stopsAt(all)).toBe(18_000);
  });
});

describe('decideEarlyStop: properties', () => {
  const observation = fc.record({
    gapMs: fc.integer({ min: 100, max: 4000 }),
    fp: fc.constantFrom('A', 'B'),
    equal: fc.boolean(),
    ok: fc.boolean(),
    lag: fc.integer({ min: 0, max: 100 }),
    sink: fc.constantFrom('RUNNING', 'FAILED', 'RESTARTING'),
  });
  const build = (
    rows: Array<{ gapMs: number; fp: string; equal: boolean; ok: boolean; lag: number; sink: string }>,
  ) => {
    let t = 0;
    return rows.map((r) => {
      t += r.gapMs;
      return obs(t, {
        snapshot: r.ok ? { equal: r.equal, fingerprint: r.fp } : undefined,
        consumerLag: r.lag,
        connectors: { source: RUNNING, sink: { state: 'RUNNING', tasks: [r.sink] } },
      });
    });
  };

  it('a stop always rests on a long enough window of identical, different, failed-free snapshots', () => {
    fc.assert(
      fc.property(fc.array(observation, { minLength: 1, maxLength: 40 }), (rows) => {
        const all = build(rows);
        const d = decideEarlyStop(all, POLICY);
        if (!d.stop) return;
        const window = all.slice(-d.snapshots);
        const fp = all.at(-1)!.snapshot!.fingerprint;
        expect(d.snapshots).toBeGreaterThanOrEqual(POLICY.minSnapshots);
        expect(d.quietMs).toBeGreaterThanOrEqual(POLICY.failedQuietMs);
        for (const o of window) {
          expect(o.snapshot).toMatchObject({ equal: false, fingerprint: fp });
          expect(o.connectors.sink?.tasks).not.toContain('RESTARTING');
          if (!o.connectors.sink?.tasks.includes('FAILED')) expect(o.consumerLag).toBeLessThanOrEqual(50);
        }
        if (!window.every((o) => o.connectors.sink?.tasks.includes('FAILED')))
          expect(d.quietMs).toBeGreaterThanOrEqual(POLICY.quietMs);
      }),
    );
  });

  it('never stops on an observation whose stores changed, were equal, or could not be read', () => {
    fc.assert(
      fc.property(fc.array(observation, { minLength: 1, maxLength: 40 }), (rows) => {
        const all = build(rows);
        const prev = all.at(-1)!;
        const next = obs(prev.atMs + 1000, { snapshot: { equal: false, fingerprint: 'changed' } });
        expect(decideEarlyStop([...all, next], POLICY).stop).toBe(false);
        expect(decideEarlyStop([...all, { ...next, snapshot: undefined }], POLICY).stop).toBe(false);
        expect(decideEarlyStop([...all, { ...next, snapshot: { equal: true, fingerprint: 'A' } }], POLICY).stop).toBe(
          false,
        );
      }),
    );
  });
});

describe('awaitConvergence with the early stop', () => {
  function comparison(equal: boolean, missing: number): Comparison {
    const zero = Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, 0])) as Record<AnomalyClass, number>;
    return {
      equal,
      pgRows: 10,
      esDocs: 10 - missing,
      counts: { ...zero, missing },
      examples: Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, []])) as unknown as Comparison['examples'],
      setupErrors: { count: 0, examples: [] },
    };
  }

  /** Stores with `missing(t)` documents missing at t ms after the heal; budget 10 s, deadline 20 s. */
  async function run(missing: (t: number) => number) {
    let t = 0;
    const observed: Observation[] = [];
    return awaitConvergence({
      startMs: 0,
      budgetMs: 10_000,
      deadlineMs: 20_000,
      pollMs: 500,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
      snapshot: async () => {
        const n = missing(t);
        t += 100;
        return comparison(n === 0, n);
      },
      stopEarly: (c, atMs) => {
        observed.push(obs(atMs, { snapshot: c && { equal: c.equal, fingerprint: String(c.counts.missing) } }));
        const d = decideEarlyStop(observed, { ...POLICY, quietMs: 5_000 });
        return d.stop ? d.reason : undefined;
      },
    });
  }

  it('a pipeline stuck for good ends at the quiet window, diverged, with the reason', async () => {
    const r = await run(() => 3);
    expect(r.verdict).toBe('diverged');
    expect(r.endedEarly?.atMs).toBeLessThan(6_000);
    expect(r.endedEarly?.reason).toMatch(/^no progress for 5\.\d s/);
    expect(r.last.counts.missing).toBe(3);
  });

  it('a slow pipeline that keeps progressing still converges late', async () => {
    // One document arrives every 4 s (under the quiet window): equal at 12 s, past the 10 s budget.
    const r = await run((t) => Math.max(0, 3 - Math.floor(t / 4000)));
    expect(r.verdict).toBe('converged-late');
    expect(r.endedEarly).toBeUndefined();
  });

  it('without the hook the same stuck pipeline waits out its deadline', async () => {
    let t = 0;
    const r = await awaitConvergence({
      startMs: 0,
      budgetMs: 10_000,
      deadlineMs: 20_000,
      pollMs: 500,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
      snapshot: async () => comparison(false, 3),
    });
    expect(r.verdict).toBe('diverged');
    expect(r.endedEarly).toBeUndefined();
    expect(t).toBeGreaterThanOrEqual(20_000);
  });
});

describe('decideEarlyStop: the edges', () => {
  const reasonOf = (all: Observation[]): string | undefined => {
    const d = decideEarlyStop(all, POLICY);
    return d.stop ? d.reason : undefined;
  };

  it('nothing observed, or no snapshot at the last observation: continue', () => {
    expect(decideEarlyStop([], POLICY)).toEqual({ stop: false });
    expect(decideEarlyStop([obs(0, { snapshot: undefined })], POLICY)).toEqual({ stop: false });
  });

  it('a last observation not at rest: continue, with no window at all', () => {
    const all = series(30_000, (t) => (t === 30_000 ? { consumerLag: 51 } : {}));
    expect(decideEarlyStop(all, POLICY)).toEqual({ stop: false });
  });

  it('a connector or task MISSING, or several tasks of which one moves, or no task: never', () => {
    for (const sink of [
      { state: 'MISSING', tasks: ['RUNNING'] },
      { state: 'RUNNING', tasks: ['MISSING'] },
      { state: 'RUNNING', tasks: ['RUNNING', 'RESTARTING'] },
      { state: 'RUNNING', tasks: [] },
    ])
      expect(stopsAt(series(60_000, () => ({ connectors: { source: RUNNING, sink } }))), sink.state).toBeUndefined();
  });

  it('a connector FAILED as a whole, with no task left, is failed for good', () => {
    const all = series(30_000, () => ({
      consumerLag: 900,
      connectors: { source: RUNNING, sink: { state: 'FAILED', tasks: [] } },
    }));
    expect(stopsAt(all)).toBe(POLICY.failedQuietMs);
  });

  it('lags exactly at rest are at rest', () => {
    const at = { slotLagBytes: 256 * 1024, probeLagMs: 5_000, consumerLag: 50 };
    expect(DEFAULT_EARLY_STOP.restSlotBytes).toBe(at.slotLagBytes);
    expect(stopsAt(series(30_000, () => at))).toBe(10_000);
  });

  it('a window that began without a relay waits the full quiet window, though a task FAILED since', () => {
    const all = series(30_000, (t) =>
      t === 0
        ? { relay: false, connectors: {} }
        : { consumerLag: 900, connectors: { source: RUNNING, sink: SINK_FAILED } },
    );
    expect(stopsAt(all)).toBe(POLICY.quietMs);
  });

  it('the reason of a pipeline without a relay', () => {
    const all = series(10_000, () => ({
      relay: false,
      connectors: {},
      slotLagBytes: undefined,
      consumerLag: undefined,
    }));
    expect(reasonOf(all)).toBe(
      'no progress for 10.0 s (no relay: the application wrote both stores, 11 identical snapshots)',
    );
  });

  it('the reason names only the lags measured, and no probe lag beside a FAILED connector', () => {
    const failedSource = series(4_000, () => ({
      slotLagBytes: undefined,
      consumerLag: 3,
      connectors: { source: SINK_FAILED, sink: RUNNING },
    }));
    expect(reasonOf(failedSource)).toBe(
      'no progress for 4.0 s (source FAILED, no operator rule restarts it, consumer lag 3, 5 identical snapshots)',
    );
    const failedSink = series(4_000, () => ({
      slotLagBytes: 10,
      consumerLag: undefined,
      probeLagMs: undefined,
      connectors: { source: RUNNING, sink: SINK_FAILED },
    }));
    expect(reasonOf(failedSink)).toBe(
      'no progress for 4.0 s (sink FAILED, no operator rule restarts it, slot lag 10 B, 5 identical snapshots)',
    );
  });

  it('slot lag in bytes below 1 KiB, in KiB from there', () => {
    const lag = (slotLagBytes: number) => reasonOf(series(10_000, () => ({ slotLagBytes })));
    expect(lag(1023)).toContain('(slot lag 1023 B,');
    expect(lag(1024)).toContain('(slot lag 1.0 KiB,');
    expect(lag(1536)).toContain('(slot lag 1.5 KiB,');
  });
});
