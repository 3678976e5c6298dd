import type { BenchStacks } from './stacks.ts';
import { loadavg } from 'node:os';
import { median, summarise, type Summary, type Target } from './stats.ts';
import type { Load } from './machine.ts';

/** One figure of the results table: its samples (one per run), summary, and target. */
export interface Metric {
  id: string;
  label: string;
  unit: string;
  samples: number[];
  target: Target | null;
  summary: Summary;
  /** Shown next to the figure, e.g. what exactly was timed. */
  note?: string;
  /** Median 1-minute load average at the start of its runs (when the measure recorded it). */
  load1?: number;
  /** The same figure for the peer measured in the same runs (the stock way), and ours / the peer's. */
  peer?: PeerComparison;
}

export interface PeerComparison {
  id: string;
  median: number | null;
  /** Our median / the peer's median. */
  ratio: number | null;
  /** The ratio the goal allows (e.g. 0.5: at most half the peer's). */
  target: number;
  meets: boolean | null;
}

/** Adds the peer's figure to one of ours: ratio = our median / its median, against the allowed ratio. */
export function withPeer(m: Metric, peer: Metric, target: number): Metric {
  const ours = m.summary.median;
  const theirs = peer.summary.median;
  const ratio = ours !== null && theirs !== null && theirs > 0 ? ours / theirs : null;
  return { ...m, peer: { id: peer.id, median: theirs, ratio, target, meets: ratio === null ? null : ratio <= target } };
}

export interface MeasureOutput {
  metrics: Metric[];
  /** Per-run breakdowns, profiles: whatever explains the figures. */
  details?: unknown;
  notes?: string[];
}

export interface MeasureRecord extends MeasureOutput {
  name: string;
  title: string;
  startedAt: string;
  durationMs: number;
  loadBefore: Load;
  loadAfter: Load;
  /** The options of the invocation that produced this record (records of several `--only` runs get merged). */
  invocation: { runs: number; quick: boolean; stack: string; reuse: string | null };
  error?: string;
}

export interface BenchContext {
  runs: number;
  quick: boolean;
  stacks: BenchStacks;
  /** Progress line on stderr. */
  log(msg: string): void;
  /** Results other measures of this invocation produced (e.g. probe-off saturation runs for `throughput`). */
  shared: Map<string, unknown>;
}

export interface Measure {
  name: string;
  title: string;
  /** Needs a running stack (one of its own, or --reuse). */
  needsStack: boolean;
  run(ctx: BenchContext): Promise<MeasureOutput>;
}

export function metric(
  id: string,
  label: string,
  unit: string,
  samples: number[],
  target?: Target,
  note?: string,
  loads?: number[],
): Metric {
  const load1 = loads && loads.length ? median(loads) : null;
  return {
    id,
    label,
    unit,
    samples,
    target: target ?? null,
    summary: summarise(samples, target),
    ...(note ? { note } : {}),
    ...(load1 !== null ? { load1 } : {}),
  };
}

/** The 1-minute load average now. */
export function load1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
