import { describe, expect, it } from 'vitest';
import type { Sample } from '../../record/samples.ts';
import { judgeStep, trend } from './judge.ts';
import { bracket, concurrencyFor, nextRate } from './search.ts';
import { splitMarkers, summariseHops } from './split.ts';

const T0 = 1_000_000;

/**
 * A synthetic 30 s step: the workload's op-rate each second, a marker every 100 ms with the given hop lags,
 * and slot / consumer backlogs each second as functions of the second.
 */
function step(o: {
  rate?: number;
  sourceMs?: number;
  sinkMs?: number;
  slot?: (s: number) => number;
  consumer?: (s: number) => number;
  kafka?: boolean;
}): Sample[] {
  const out: Sample[] = [];
  for (let s = 1; s <= 30; s++) {
    const t = T0 + s * 1000;
    out.push({ t, kind: 'op-rate', opsPerSec: o.rate ?? 100 });
    out.push({ t, kind: 'slot-lag', slot: 's', bytes: (o.slot ?? (() => 50_000))(s), active: true });
    out.push({ t, kind: 'consumer-lag', group: 'g', lag: (o.consumer ?? (() => 20))(s), endOffset: 0, committed: 0 });
  }
  for (let seq = 1; seq <= 300; seq++) {
    const commit = T0 + seq * 100;
    const kafkaAt = commit + (o.sourceMs ?? 30);
    const seen = kafkaAt + (o.sinkMs ?? 200);
    if (o.kafka !== false) out.push({ t: kafkaAt, kind: 'probe-kafka', seq, ts: kafkaAt });
    out.push({ t: seen, kind: 'e2e-lag', seq, lagMs: seen - commit });
  }
  return out.sort((a, b) => a.t - b.t);
}

const converged = { verdict: 'converged' as const, ops: { ratePerSec: 100 } };

describe('judgeStep', () => {
  it('sustains a step with steady backlogs, the rate achieved and lag within budget', () => {
    const j = judgeStep({ offeredRate: 100, lagBudgetMs: 10_000, report: converged, samples: step({}) });
    expect(j.reasons).toEqual([]);
    expect(j.sustained).toBe(true);
    expect(j.gaveOut).toBeNull();
    expect(j.lag.p99).toBe(230);
    expect(j.hops?.source.p99).toBe(30);
    expect(j.hops?.sink.p99).toBe(200);
  });

  it('names the workload when less than 90 % of the offered rate was achieved', () => {
    const report = { verdict: 'converged' as const, ops: { ratePerSec: 85 } };
    const j = judgeStep({ offeredRate: 100, lagBudgetMs: 10_000, report, samples: step({ rate: 85 }) });
    expect(j.sustained).toBe(false);
    expect(j.gaveOut).toBe('workload');
  });

  it('names the sink when the consumer lag keeps growing, even within the lag budget', () => {
    const samples = step({ consumer: (s) => 20 + s * 300, sinkMs: 2000 });
    const j = judgeStep({ offeredRate: 100, lagBudgetMs: 10_000, report: converged, samples });
    expect(j.sustained).toBe(false);
    expect(j.gaveOut).toBe('sink');
    expect(j.reasons.join()).toMatch(/consumer lag grew/);
  });

  it('names the source when the slot backlog keeps growing', () => {
    const samples = step({ slot: (s) => s * 2_000_000, consumer: (s) => 20 + s * 300 });
    const j = judgeStep({ offeredRate: 100, lagBudgetMs: 10_000, report: converged, samples });
    expect(j.gaveOut).toBe('source');
    expect(j.sustained).toBe(false);
  });

  it('does not read a one-off spike or a small staircase as growth', () => {
    const samples = step({ consumer: (s) => (s === 28 ? 5000 : 20 + (s % 2) * 150), slot: (s) => (s % 2) * 900_000 });
    const j = judgeStep({ offeredRate: 100, lagBudgetMs: 10_000, report: converged, samples });
    expect(j.consumer?.growing).toBe(false);
    expect(j.slot?.growing).toBe(false);
    expect(j.sustained).toBe(true);
  });

  it('names latency when the lag is over budget without a backlog growing', () => {
    const j = judgeStep({ offeredRate: 100, lagBudgetMs: 1000, report: converged, samples: step({ sinkMs: 1500 }) });
    expect(j.sustained).toBe(false);
    expect(j.gaveOut).toBe('latency');
    expect(j.reasons).toEqual([
      'lag p99 1530 ms over the budget of 1000 ms, mostly in the sink hop (source p99 30 ms, sink p99 1500 ms)',
    ]);
  });

  it('is not sustained when the run did not converge', () => {
    const report = { verdict: 'converged-late' as const, ops: { ratePerSec: 100 } };
    const j = judgeStep({ offeredRate: 100, lagBudgetMs: 10_000, report, samples: step({}) });
    expect(j.sustained).toBe(false);
    expect(j.reasons).toEqual(['verdict converged-late']);
  });

  it('is not sustained when no op ran or no marker was seen', () => {
    const none = judgeStep({ offeredRate: 100, lagBudgetMs: 10_000, report: converged, samples: [] });
    expect(none.sustained).toBe(false);
    expect(none.gaveOut).toBe('workload');
    const noMarkers = step({}).filter((s) => s.kind !== 'e2e-lag');
    const j = judgeStep({ offeredRate: 100, lagBudgetMs: 10_000, report: converged, samples: noMarkers });
    expect(j.sustained).toBe(false);
    expect(j.gaveOut).toBe('latency');
  });

  it('judges without a split when no marker was read from Kafka', () => {
    const j = judgeStep({ offeredRate: 100, lagBudgetMs: 10_000, report: converged, samples: step({ kafka: false }) });
    expect(j.sustained).toBe(true);
    expect(j.hops).toBeNull();
  });
});

describe('trend', () => {
  const w = { from: 0, to: 30 };
  const pts = (f: (t: number) => number) => Array.from({ length: 30 }, (_, t) => ({ t, v: f(t) }));
  it('grows only when still rising and above the floor', () => {
    expect(
      trend(
        pts((t) => t * 100),
        w,
        200,
      )?.growing,
    ).toBe(true);
    expect(
      trend(
        pts((t) => t * 100),
        w,
        5000,
      )?.growing,
    ).toBe(false);
    expect(
      trend(
        pts((t) => (t < 20 ? t * 100 : 0)),
        w,
        200,
      )?.growing,
    ).toBe(false);
    expect(trend([], w, 1)).toBeNull();
  });
});

describe('splitMarkers', () => {
  it('splits each marker at its Kafka time, from the e2e-lag samples where there are any', () => {
    const m = splitMarkers(step({ sourceMs: 40, sinkMs: 500 }));
    expect(m).toHaveLength(300);
    expect(m[0]).toMatchObject({ seq: 1, sourceMs: 40, sinkMs: 500 });
    const s = summariseHops(m, T0 + 1000, T0 + 2000);
    expect(s.markers).toBe(11);
    expect(s.source.p99).toBe(40);
  });

  it('falls back to the probe samples: first committedSeq ≥ seq and first visibleSeq ≥ seq', () => {
    const samples: Sample[] = [
      { t: 100, kind: 'probe', committedSeq: 1, visibleSeq: 0, lagMs: 0 },
      { t: 150, kind: 'probe', committedSeq: 3, visibleSeq: 0, lagMs: 50 },
      { t: 160, kind: 'probe-kafka', seq: 2, ts: 160 },
      { t: 170, kind: 'probe-kafka', seq: 3, ts: 170 },
      { t: 400, kind: 'probe', committedSeq: 3, visibleSeq: 3, lagMs: 0 },
      { t: 500, kind: 'probe-kafka', seq: 9, ts: 500 },
    ];
    expect(splitMarkers(samples)).toEqual([
      { seq: 2, commitAt: 150, kafkaAt: 160, visibleAt: 400, sourceMs: 10, sinkMs: 240 },
      { seq: 3, commitAt: 150, kafkaAt: 170, visibleAt: 400, sourceMs: 20, sinkMs: 230 },
    ]);
  });

  it('is empty without probe-kafka samples', () => {
    expect(splitMarkers(step({ kafka: false }))).toEqual([]);
  });
});

describe('nextRate', () => {
  const plan = { from: 100, max: 6400, bisections: 2 };
  const s = (rate: number, sustained: boolean) => ({ rate, sustained });
  it('doubles while sustained, capped at max, and stops at max', () => {
    expect(nextRate([], plan)).toBe(100);
    expect(nextRate([s(100, true)], plan)).toBe(200);
    expect(nextRate([s(100, true)], { ...plan, max: 150 })).toBe(150);
    expect(nextRate([s(100, true), s(150, true)], { ...plan, max: 150 })).toBeNull();
  });
  it('stops when even the first rate fails', () => {
    expect(nextRate([s(100, false)], plan)).toBeNull();
  });
  it('bisects twice between the last sustained and the first failed rate', () => {
    const a = [s(100, true), s(200, true), s(400, false)];
    expect(nextRate(a, plan)).toBe(300);
    expect(nextRate([...a, s(300, true)], plan)).toBe(350);
    expect(nextRate([...a, s(300, false)], plan)).toBe(250);
    expect(nextRate([...a, s(300, true), s(350, false)], plan)).toBeNull();
    expect(bracket([...a, s(300, true), s(350, false)])).toEqual({ lo: 300, hi: 350 });
  });
  it('stops when the interval is narrower than 1 op/s', () => {
    expect(nextRate([s(1, true), s(2, false)], plan)).toBeNull();
  });
  it('grows the concurrency with the rate, 2..16', () => {
    expect([50, 200, 401, 1600, 6400].map(concurrencyFor)).toEqual([2, 2, 3, 8, 16]);
  });
});
