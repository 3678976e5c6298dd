import { summariseLag } from '../../record/lag-summary.ts';
import type { LagSummary, RunReport } from '../../record/report.ts';
import type { Sample } from '../../record/samples.ts';
import { splitMarkers, summariseHops, type HopSummary } from './split.ts';

/**
 * The hop that gave out first: `workload` (Postgres or the driver did not take the offered rate), `source`
 * (the slot's backlog grew: Postgres → Debezium → Kafka), `sink` (the sink's consumer lag grew: Kafka → sink →
 * Elasticsearch), `latency` (over the lag budget, or late to converge, with no backlog growing).
 */
export type Hop = 'workload' | 'source' | 'sink' | 'latency';

/** A backlog over the step: the median of its first, middle and last third. */
export interface Trend {
  first: number;
  middle: number;
  last: number;
  growing: boolean;
}

export interface StepJudgement {
  sustained: boolean;
  /** null when sustained. */
  gaveOut: Hop | null;
  /** Why not sustained, one line each (empty when sustained). */
  reasons: string[];
  offeredRate: number;
  achievedRate: number;
  /** End-to-end lag of the markers committed while the workload ran. */
  lag: LagSummary;
  /** Per-hop lag of the same markers; null when no marker was read from Kafka. */
  hops: HopSummary | null;
  slot: Trend | null;
  consumer: Trend | null;
  /** The workload's span on the harness clock, from its op-rate samples; null when it made no op. */
  window: { from: number; to: number } | null;
}

export interface StepInput {
  offeredRate: number;
  lagBudgetMs: number;
  report: { verdict: RunReport['verdict']; ops: { ratePerSec: number } };
  samples: readonly Sample[];
  /** Interval of the op-rate samples (a sample covers the second before it). Default 1000 ms. */
  opRateEveryMs?: number;
}

/** The workload must achieve this share of the offered rate. */
export const ACHIEVED_SHARE = 0.9;

/** The span over which op-rate samples show operations. */
export function workloadWindow(samples: readonly Sample[], everyMs = 1000): { from: number; to: number } | null {
  const busy = samples.filter((s) => s.kind === 'op-rate' && s.opsPerSec > 0).map((s) => s.t);
  if (busy.length === 0) return null;
  return { from: Math.min(...busy) - everyMs, to: Math.max(...busy) };
}

/** Medians, not means: one slow sample (a GC pause, a rebalance) is not a backlog. */
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Whether a backlog kept growing over the window: the last third's median exceeds the middle third's (still
 * rising at the end, not one spike) and the first third's by more than `floor` and by more than half of it.
 * The floor keeps the staircase of once-a-second offset commits from reading as growth. null: too few points.
 */
export function trend(
  points: readonly { t: number; v: number }[],
  window: { from: number; to: number },
  floor: number,
): Trend | null {
  const span = (window.to - window.from) / 3;
  const third = (k: number) =>
    points.filter((p) => p.t >= window.from + k * span && p.t < window.from + (k + 1) * span + (k === 2 ? 1 : 0));
  const [a, b, c] = [third(0), third(1), third(2)];
  if (a.length === 0 || c.length === 0) return null;
  const first = median(a.map((p) => p.v));
  const middle = b.length ? median(b.map((p) => p.v)) : first;
  const last = median(c.map((p) => p.v));
  return { first, middle, last, growing: last > middle && last - first > Math.max(floor, first / 2) };
}

/** Growth floors: a second of the offered rate in records (at least 200), 1 KiB a record in WAL (at least 1 MiB). */
export function floors(rate: number): { records: number; bytes: number } {
  return { records: Math.max(200, rate), bytes: Math.max(1 << 20, rate * 1024) };
}

const fmt = (v: number): string => String(Math.round(v));

/**
 * Judges one step of the capacity search: sustained = verdict converged, steady e2e lag p99 within the
 * budget, ≥ 90 % of the offered rate achieved, and no backlog (slot or consumer lag) growing over the step.
 * The hop named is the first in the chain that shows it gave out.
 */
export function judgeStep(input: StepInput): StepJudgement {
  const { offeredRate, lagBudgetMs, report, samples } = input;
  const window = workloadWindow(samples, input.opRateEveryMs);
  const achievedRate = report.ops.ratePerSec;
  const within = (t: number): boolean => window !== null && t >= window.from && t <= window.to;
  const lag = summariseLag(samples.flatMap((s) => (s.kind === 'e2e-lag' && within(s.t - s.lagMs) ? [s.lagMs] : [])));
  const markers = splitMarkers(samples);
  const hops = markers.length && window ? summariseHops(markers, window.from, window.to) : null;
  const f = floors(offeredRate);
  const slot = window
    ? trend(
        samples.flatMap((s) => (s.kind === 'slot-lag' ? [{ t: s.t, v: s.bytes }] : [])),
        window,
        f.bytes,
      )
    : null;
  const consumer = window
    ? trend(
        samples.flatMap((s) => (s.kind === 'consumer-lag' ? [{ t: s.t, v: s.lag }] : [])),
        window,
        f.records,
      )
    : null;

  const reasons: string[] = [];
  let gaveOut: Hop | null = null;
  const blame = (hop: Hop, why: string): void => {
    gaveOut ??= hop;
    reasons.push(why);
  };
  if (!window) blame('workload', 'the workload made no operation');
  else if (achievedRate < ACHIEVED_SHARE * offeredRate)
    blame('workload', `achieved ${achievedRate} ops/s of ${offeredRate} offered (< ${ACHIEVED_SHARE * 100} %)`);
  if (slot?.growing) blame('source', `slot backlog grew ${kib(slot.first)}→${kib(slot.last)} KiB`);
  if (consumer?.growing) blame('sink', `consumer lag grew ${fmt(consumer.first)}→${fmt(consumer.last)}`);
  if (lag.p99 === null) blame('latency', 'no lag-probe marker was committed and seen during the workload');
  else if (lag.p99 > lagBudgetMs)
    blame('latency', `lag p99 ${lag.p99} ms over the budget of ${lagBudgetMs} ms${whereItGoes(hops)}`);
  if (report.verdict !== 'converged') blame('latency', `verdict ${report.verdict}`);
  return {
    sustained: reasons.length === 0,
    gaveOut,
    reasons,
    offeredRate,
    achievedRate,
    lag,
    hops,
    slot,
    consumer,
    window,
  };
}

/** Which hop holds most of the lag, when the split was measured. */
function whereItGoes(hops: HopSummary | null): string {
  const src = hops?.source.p99;
  const sink = hops?.sink.p99;
  if (src === null || src === undefined || sink === null || sink === undefined) return '';
  return `, mostly in the ${sink >= src ? 'sink' : 'source'} hop (source p99 ${src} ms, sink p99 ${sink} ms)`;
}

function kib(bytes: number): string {
  return String(Math.round(bytes / 1024));
}
