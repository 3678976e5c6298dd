/**
 * The benchmark record (bench/record.json): every measure's latest figures, each with the commit it ran on,
 * whether the tree was clean, the machine and its load. A partial run (`--only`) merges into it; the format is
 * documented in docs/performance.md ("The record").
 */
import type { TreeState } from './git.ts';
import type { MachineFacts } from './machine.ts';
import type { MeasureRecord } from './measure.ts';

export const RECORD_FORMAT = 'outbox-chaos bench record v1';

/** A run of a measure that gave no figure (it failed, or had nothing to measure). */
export interface Attempt {
  commit: string | null;
  clean: boolean | null;
  startedAt: string;
  error: string;
}

export interface RecordEntry extends MeasureRecord {
  /** The commit the measure ran on (null: not known, e.g. read from the earlier results.json format). */
  commit: string | null;
  /** Whether the tree matched that commit (null: not known). */
  clean: boolean | null;
  /** What differed from the commit, when not clean. */
  changes?: string[];
  /** The machine (its load at the start is `loadBefore`). */
  machine: MachineFacts | null;
  /** A later run of this measure gave no figure, and these earlier figures were kept. */
  lastFailure?: Attempt;
}

export interface BenchRecord {
  format: typeof RECORD_FORMAT;
  /** When the record was first written: a measure absent from it has not been measured since that commit. */
  since: { commit: string | null; date: string };
  updatedAt: string;
  measures: Record<string, RecordEntry>;
  /** Read from the earlier results.json format (one run's options, one git revision for the whole file). */
  legacy?: true;
}

export class RecordError extends Error {}

export function entryOf(m: MeasureRecord, tree: TreeState, machine: MachineFacts): RecordEntry {
  return {
    ...m,
    commit: tree.commit,
    clean: tree.clean,
    ...(tree.clean === false ? { changes: tree.changes } : {}),
    machine,
  };
}

/** Whether a run of a measure produced a figure: no error, and at least one metric with a median. */
export function measured(m: MeasureRecord): boolean {
  return !m.error && m.metrics.some((x) => x.summary.median !== null);
}

function failureOf(e: RecordEntry): Attempt {
  const why =
    e.error ?? (e.metrics.map((m) => m.note).find((n) => n?.startsWith('not measured')) || 'no figure produced');
  return { commit: e.commit, clean: e.clean, startedAt: e.startedAt, error: why };
}

/**
 * The record after a run: the measures it ran replace their earlier entries; the others keep theirs, with their
 * own commits. A run that produced no figure keeps the earlier figures and notes the failure beside them.
 */
export function mergeRecord(
  previous: BenchRecord | null,
  fresh: readonly RecordEntry[],
  at: { commit: string | null; date: string },
  order: readonly string[] = [],
): BenchRecord {
  const measures: Record<string, RecordEntry> = { ...(previous?.measures ?? {}) };
  for (const e of fresh) {
    const before = measures[e.name];
    if (measured(e) || !before || !measured(before)) measures[e.name] = e;
    else measures[e.name] = { ...before, lastFailure: failureOf(e) };
  }
  const rank = (n: string): number => (order.includes(n) ? order.indexOf(n) : order.length);
  const names = Object.keys(measures).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return {
    format: RECORD_FORMAT,
    since: previous && !previous.legacy ? previous.since : at,
    updatedAt: at.date,
    measures: Object.fromEntries(names.map((n) => [n, measures[n]!])),
  };
}

export function recordJson(r: BenchRecord): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

interface LegacyResults {
  generatedAt: string;
  machine: { cpus: number; cpuModel: string; memGiB: number; node: string; gitRev: string | null; gitDirty: boolean };
  options?: { only?: string[] | null };
  measures: Record<string, MeasureRecord>;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Reads a record, or a results file of the earlier format (bench/results.json before the record): there one
 * git revision covers the file, and it is the commit only of the measures its last run ran.
 */
export function parseRecord(text: string, source: string): BenchRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new RecordError(`${source} is not JSON (${(err as Error).message}); pass a bench record file`);
  }
  if (!isObject(raw) || !isObject(raw.measures))
    throw new RecordError(`${source} has no "measures": pass a bench record (bench/record.json) or results file`);
  for (const [name, m] of Object.entries(raw.measures)) {
    if (!isObject(m) || !Array.isArray(m.metrics))
      throw new RecordError(`${source}: measure "${name}" has no "metrics" list`);
  }
  if (raw.format === RECORD_FORMAT) return raw as unknown as BenchRecord;
  if (typeof raw.format === 'string')
    throw new RecordError(`${source} is a "${raw.format}", this bench reads "${RECORD_FORMAT}"; update the bench`);
  if (!isObject(raw.machine) || typeof raw.generatedAt !== 'string')
    throw new RecordError(`${source} is neither a bench record nor an earlier results file (no format, no machine)`);
  const old = raw as unknown as LegacyResults;
  const ran = old.options?.only ?? Object.keys(old.measures);
  const machine: MachineFacts = {
    cores: old.machine.cpus,
    cpuModel: old.machine.cpuModel,
    memGiB: old.machine.memGiB,
    node: old.machine.node,
  };
  const measures: Record<string, RecordEntry> = {};
  for (const [name, m] of Object.entries(old.measures)) {
    const inLastRun = ran.includes(name);
    measures[name] = {
      ...m,
      commit: inLastRun ? old.machine.gitRev : null,
      clean: inLastRun && typeof old.machine.gitDirty === 'boolean' ? !old.machine.gitDirty : null,
      machine: inLastRun ? machine : null,
    };
  }
  return {
    format: RECORD_FORMAT,
    since: { commit: null, date: old.generatedAt },
    updatedAt: old.generatedAt,
    measures,
    legacy: true,
  };
}
