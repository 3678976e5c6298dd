/**
 * Turns samples.jsonl into chart-ready data (computed in Node, embedded as JSON) so the page's script only
 * draws: x is seconds since run start, every series is aligned on one x array as uPlot expects.
 */
import type { RunReport } from '../record/report.ts';
import type { Sample } from '../record/samples.ts';

export type ChartName = 'e2e-lag' | 'op-rate' | 'slot-lag' | 'consumer-lag';
export type ChartUnit = 'ms' | 'ops/s' | 'bytes' | 'records';

export interface SeriesSpec {
  label: string;
  color: string;
  /** points: sparse measurements (sampled ops) drawn as dots, not joined. */
  style: 'line' | 'area' | 'points';
}

export interface ChartSpec {
  name: ChartName;
  title: string;
  subtitle: string;
  unit: ChartUnit;
  series: SeriesSpec[];
  /** uPlot aligned data: [x seconds, ...one array per series with null where that series has no sample]. */
  data: (number | null)[][];
  /** Number of samples behind the chart; 0 renders an empty chart with a "no samples" note. */
  samples: number;
  /** Horizontal reference lines (e.g. the lag budget). */
  thresholds: { label: string; value: number }[];
}

export interface ChartWindow {
  id: string;
  fault: string;
  target: string;
  detail?: string;
  /** Seconds since run start. */
  start: number;
  end: number;
  color: string;
  fill: string;
}

export interface ChartPayload {
  /** Shared x range so fault bands line up across charts. */
  xMax: number;
  windows: ChartWindow[];
  charts: ChartSpec[];
}

const SERIES_COLORS = ['#2563eb', '#ea580c', '#7c3aed', '#059669', '#db2777', '#0891b2'];
/** Band colours, distinct from the series colours so a band never hides a line. */
const WINDOW_COLORS: [number, number, number][] = [
  [220, 38, 38],
  [217, 119, 6],
  [147, 51, 234],
  [13, 148, 136],
  [79, 70, 229],
  [190, 24, 93],
];

export function windowColor(i: number): { color: string; fill: string } {
  const [r, g, b] = WINDOW_COLORS[i % WINDOW_COLORS.length] ?? [220, 38, 38];
  return { color: `rgb(${r}, ${g}, ${b})`, fill: `rgba(${r}, ${g}, ${b}, 0.10)` };
}

export function runStartMs(report: RunReport, samples: readonly Sample[]): number {
  const t = Date.parse(report.startedAt);
  if (Number.isFinite(t)) return t;
  return samples.reduce((m, s) => Math.min(m, s.t), Number.POSITIVE_INFINITY);
}

interface Point {
  t: number;
  v: number;
}
interface NamedPoints {
  spec: SeriesSpec;
  points: Point[];
}

/** Joins series on the union of their x values (ms resolution); a series without a sample at x gets null. */
export function alignSeries(series: readonly Point[][], start: number): (number | null)[][] {
  const xs = [...new Set(series.flatMap((s) => s.map((p) => p.t)))].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const col: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    for (const p of s) {
      const i = index.get(p.t);
      if (i !== undefined && Number.isFinite(p.v)) col[i] = p.v;
    }
    return col;
  });
  return [xs.map((t) => Math.round(t - start) / 1000), ...ys];
}

/** One series per distinct key (slot, consumer group), in order of first appearance. */
function groupBy<T extends Sample>(
  samples: readonly T[],
  key: (s: T) => string,
  value: (s: T) => number,
): Map<string, Point[]> {
  const out = new Map<string, Point[]>();
  for (const s of samples) {
    const k = key(s);
    const list = out.get(k) ?? [];
    list.push({ t: s.t, v: value(s) });
    out.set(k, list);
  }
  return out;
}

function ofKind<K extends Sample['kind']>(samples: readonly Sample[], kind: K): Extract<Sample, { kind: K }>[] {
  return samples.filter((s): s is Extract<Sample, { kind: K }> => s.kind === kind);
}

function chart(
  base: Omit<ChartSpec, 'series' | 'data' | 'samples'>,
  named: NamedPoints[],
  fallback: SeriesSpec[],
  start: number,
): ChartSpec {
  const present = named.filter((n) => n.points.length > 0);
  const samples = present.reduce((n, s) => n + s.points.length, 0);
  // An empty chart keeps its usual legend so the reader sees what was not measured.
  const used = present.length > 0 ? present : fallback.map((spec) => ({ spec, points: [] }));
  return {
    ...base,
    series: used.map((n) => n.spec),
    data: alignSeries(
      used.map((n) => n.points),
      start,
    ),
    samples,
  };
}

function color(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length] ?? '#2563eb';
}

export function buildCharts(report: RunReport, input: readonly Sample[]): ChartPayload {
  const samples = [...input].sort((a, b) => a.t - b.t);
  const start = runStartMs(report, samples);
  const lastSample = samples.length > 0 ? (samples[samples.length - 1]?.t ?? start) : start;
  const lastWindow = report.timeline.reduce((m, w) => Math.max(m, w.end), start);
  const xMax = Math.max(report.durationMs, lastSample - start, lastWindow - start, 1000) / 1000;

  const windows: ChartWindow[] = report.timeline.map((w, i) => {
    const cw: ChartWindow = {
      id: w.id,
      fault: w.fault,
      target: w.target,
      start: (w.start - start) / 1000,
      end: (w.end - start) / 1000,
      ...windowColor(i),
    };
    if (w.detail !== undefined) cw.detail = w.detail;
    return cw;
  });

  const lagSeries: NamedPoints[] = [
    {
      spec: { label: 'probe lag', color: color(0), style: 'line' },
      points: ofKind(samples, 'probe').map((s) => ({ t: s.t, v: s.lagMs })),
    },
    {
      spec: { label: 'marker lag', color: color(2), style: 'line' },
      points: ofKind(samples, 'e2e-lag').map((s) => ({ t: s.t, v: s.lagMs })),
    },
    {
      spec: { label: 'op lag (sampled)', color: color(1), style: 'points' },
      points: ofKind(samples, 'op-lag').map((s) => ({ t: s.t, v: s.lagMs })),
    },
  ];
  const lagBudget = report.budget.lagP99Ms;
  const e2e = chart(
    {
      name: 'e2e-lag',
      title: 'End-to-end lag',
      subtitle: 'commit acknowledged → visible in a search',
      unit: 'ms',
      thresholds: lagBudget === null ? [] : [{ label: 'p99 budget', value: lagBudget }],
    },
    lagSeries,
    lagSeries.slice(0, 1).map((n) => n.spec),
    start,
  );

  const rate = chart(
    {
      name: 'op-rate',
      title: 'Workload op rate',
      subtitle: 'operations per second applied to Postgres',
      unit: 'ops/s',
      thresholds: [],
    },
    [
      {
        spec: { label: 'ops/s', color: color(3), style: 'area' },
        points: ofKind(samples, 'op-rate').map((s) => ({ t: s.t, v: s.opsPerSec })),
      },
    ],
    [{ label: 'ops/s', color: color(3), style: 'area' }],
    start,
  );

  const slots = [
    ...groupBy(
      ofKind(samples, 'slot-lag'),
      (s) => s.slot,
      (s) => s.bytes,
    ),
  ].map(([slot, points], i) => ({
    spec: { label: slot, color: color(2 + i), style: 'area' as const },
    points,
  }));
  const slot = chart(
    {
      name: 'slot-lag',
      title: 'Replication slot lag',
      subtitle: 'WAL bytes behind confirmed_flush_lsn',
      unit: 'bytes',
      thresholds: [],
    },
    slots,
    [{ label: 'slot', color: color(2), style: 'area' }],
    start,
  );

  const groups = [
    ...groupBy(
      ofKind(samples, 'consumer-lag'),
      (s) => s.group,
      (s) => s.lag,
    ),
  ].map(([group, points], i) => ({
    spec: { label: group, color: color(1 + i), style: 'area' as const },
    points,
  }));
  const consumer = chart(
    {
      name: 'consumer-lag',
      title: 'Sink consumer lag',
      subtitle: 'records between topic end and committed offsets',
      unit: 'records',
      thresholds: [],
    },
    groups,
    [{ label: 'consumer group', color: color(1), style: 'area' }],
    start,
  );

  return { xMax, windows, charts: [e2e, rate, slot, consumer] };
}
