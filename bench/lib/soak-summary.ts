import type { Verdict } from '../../harness/record/anomalies.ts';
import { mdTable } from '../../harness/report/md-table.ts';

/** The harness process's own footprint at one moment. */
export interface Footprint {
  t: number;
  rssBytes: number;
  heapUsedBytes: number;
  openFds: number;
}

export interface SoakRun {
  run: number;
  seed: number;
  verdict: Verdict | 'error';
  passed: boolean;
  /** Why it failed: the report's ✘ notes, or the error that ended it. */
  reasons: string[];
  timeToConvergenceMs: number | null;
  wallMs: number;
  runDir?: string;
  /** The footprint just after this run (after a forced GC when the process allows it). */
  after: Footprint;
}

export interface SoakSummary {
  runs: number;
  converged: number;
  convergedLate: number;
  flapped: number;
  diverged: number;
  errors: number;
  falseAlarms: number;
  /** Why the false alarms failed, with digits blanked so that one kind of reason is counted once ("N product(s)"). */
  reasons: Record<string, number>;
  /** After the first run (warm-up: JIT, pools, caches), and after the last. */
  rssStartBytes: number | null;
  rssEndBytes: number | null;
  rssMaxBytes: number | null;
  /** end / start; the soak's memory criterion is ≤ 1.2. */
  rssRatio: number | null;
  fdsStart: number | null;
  fdsEnd: number | null;
  fdsMax: number | null;
}

/** Counts verdicts and reads the footprint trend from run 1 (warm-up) to the last run. */
export function summariseSoak(runs: readonly SoakRun[], samples: readonly Footprint[]): SoakSummary {
  const count = (v: SoakRun['verdict']) => runs.filter((r) => r.verdict === v).length;
  const start = runs[0]?.after;
  const end = runs.length > 1 ? runs[runs.length - 1]?.after : undefined;
  const all = [...samples, ...runs.map((r) => r.after)];
  const max = (f: (x: Footprint) => number) => (all.length ? Math.max(...all.map(f)) : null);
  return {
    runs: runs.length,
    converged: count('converged'),
    convergedLate: count('converged-late'),
    flapped: count('flapped'),
    diverged: count('diverged'),
    errors: count('error'),
    falseAlarms: runs.filter((r) => !r.passed).length,
    reasons: tally(runs.filter((r) => !r.passed).flatMap((r) => r.reasons.map((x) => x.replace(/\d+(\.\d+)?/g, 'N')))),
    rssStartBytes: start?.rssBytes ?? null,
    rssEndBytes: end?.rssBytes ?? null,
    rssMaxBytes: max((x) => x.rssBytes),
    rssRatio: start && end ? Math.round((end.rssBytes / start.rssBytes) * 100) / 100 : null,
    fdsStart: start?.openFds ?? null,
    fdsEnd: end?.openFds ?? null,
    fdsMax: max((x) => x.openFds),
  };
}

function tally(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

const mib = (b: number | null): string => (b === null ? '–' : `${(b / 2 ** 20).toFixed(0)} MiB`);
const n = (x: number | null): string => (x === null ? '–' : String(x));

export function renderSoakTable(s: SoakSummary, minutes: number): string {
  return mdTable(
    [
      'minutes',
      'runs',
      'converged',
      'late',
      'flapped',
      'diverged',
      'errors',
      'false alarms',
      'harness RSS start → end (max)',
      'end / start',
      'open fds start → end (max)',
    ],
    [
      [
        String(Math.round(minutes)),
        String(s.runs),
        String(s.converged),
        String(s.convergedLate),
        String(s.flapped),
        String(s.diverged),
        String(s.errors),
        String(s.falseAlarms),
        `${mib(s.rssStartBytes)} → ${mib(s.rssEndBytes)} (${mib(s.rssMaxBytes)})`,
        n(s.rssRatio),
        `${n(s.fdsStart)} → ${n(s.fdsEnd)} (${n(s.fdsMax)})`,
      ],
    ],
    [0, 1, 2, 3, 4, 5, 6, 7, 9],
  );
}
