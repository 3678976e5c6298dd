import type { BenchStacks } from './stacks.ts';
import { summarise, type Summary, type Target } from './stats.ts';
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

export function metric(id: string, label: string, unit: string, samples: number[], target?: Target, note?: string): Metric {
  return { id, label, unit, samples, target: target ?? null, summary: summarise(samples, target), ...(note ? { note } : {}) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
