/**
 * `npm run bench -- --compare FILE`: each figure of the record against an earlier record, as a ratio, with the
 * ones that moved beyond the noise marked.
 */
import type { Metric } from './measure.ts';
import type { BenchRecord, RecordEntry } from './record.ts';
import { tidy } from './stats.ts';

/**
 * A figure has to move by more than this (20 %) before it counts as a regression or an improvement. The same code
 * measured in two sessions on the 2-core reference machine moved by up to 13 % (reset 0.76 s and 0.86 s, the
 * probe's cost −10.5 % to 7 % within one session), so a smaller move is not evidence of anything there.
 */
export const DEFAULT_THRESHOLD = 0.2;

/** Rates are better higher; times, CPU, memory and costs lower. */
const RATE_UNITS = new Set(['events/s', 'ops/s', 'txn/s', 'docs/s']);

export type Better = 'lower' | 'higher';

export function betterOf(m: Metric): Better {
  if (m.target) return m.target.kind === 'max' ? 'lower' : 'higher';
  return RATE_UNITS.has(m.unit) ? 'higher' : 'lower';
}

export type Verdict = 'regression' | 'improvement' | 'within noise' | 'new' | 'not measured now' | 'no figure';

export interface Side {
  median: number | null;
  min: number | null;
  max: number | null;
  commit: string | null;
  clean: boolean | null;
  load1: number | null;
  cores: number | null;
}

export interface ComparisonRow {
  measure: string;
  id: string;
  label: string;
  unit: string;
  better: Better;
  before: Side | null;
  now: Side | null;
  /** now / before. */
  ratio: number | null;
  /** How many times worse in the direction that matters (> 1 worse, < 1 better). */
  factor: number | null;
  verdict: Verdict;
  /** Why the two figures may not be comparable: a dirty tree, another machine, a different load. */
  caveats: string[];
}

function side(e: RecordEntry, m: Metric): Side {
  return {
    median: m.summary.median,
    min: m.summary.min,
    max: m.summary.max,
    commit: e.commit,
    clean: e.clean,
    load1: m.load1 ?? e.loadBefore?.load?.[0] ?? null,
    cores: e.machine?.cores ?? null,
  };
}

function caveatsOf(before: Side, now: Side): string[] {
  const out: string[] = [];
  if (before.clean === false) out.push('before: dirty tree');
  if (before.commit === null) out.push('before: commit unknown');
  if (now.clean === false) out.push('now: DIRTY TREE');
  if (before.cores !== null && now.cores !== null && before.cores !== now.cores)
    out.push(`another machine (${before.cores} → ${now.cores} cores)`);
  // Half the cores' worth of other work changes wall-clock figures on its own.
  const cores = now.cores ?? before.cores ?? 2;
  if (before.load1 !== null && now.load1 !== null && Math.abs(now.load1 - before.load1) > Math.max(1, cores / 2))
    out.push(`load ${before.load1} → ${now.load1}`);
  return out;
}

export function judge(
  ratio: number | null,
  better: Better,
  threshold: number,
): { factor: number | null; verdict: Verdict } {
  if (ratio === null || !Number.isFinite(ratio) || ratio <= 0) return { factor: null, verdict: 'no figure' };
  const factor = better === 'lower' ? ratio : 1 / ratio;
  if (factor > 1 + threshold) return { factor, verdict: 'regression' };
  if (factor < 1 / (1 + threshold)) return { factor, verdict: 'improvement' };
  return { factor, verdict: 'within noise' };
}

/** Every figure of `now` against the same figure of `before`, then the figures only `before` has. */
export function compareRecords(
  before: BenchRecord,
  now: BenchRecord,
  threshold: number = DEFAULT_THRESHOLD,
): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const seen = new Set<string>();
  const find = (r: BenchRecord, measure: string, id: string): [RecordEntry, Metric] | null => {
    const e = r.measures[measure];
    const m = e?.metrics.find((x) => x.id === id);
    return e && m ? [e, m] : null;
  };
  for (const e of Object.values(now.measures)) {
    for (const m of e.metrics) {
      seen.add(`${e.name}/${m.id}`);
      const n = side(e, m);
      const old = find(before, e.name, m.id);
      const b = old ? side(...old) : null;
      const base = { measure: e.name, id: m.id, label: m.label, unit: m.unit, better: betterOf(m), now: n };
      if (!b) {
        rows.push({ ...base, before: null, ratio: null, factor: null, verdict: 'new', caveats: [] });
        continue;
      }
      const ratio = n.median !== null && b.median !== null && b.median !== 0 ? n.median / b.median : null;
      rows.push({ ...base, before: b, ratio, ...judge(ratio, base.better, threshold), caveats: caveatsOf(b, n) });
    }
  }
  for (const e of Object.values(before.measures)) {
    for (const m of e.metrics) {
      if (seen.has(`${e.name}/${m.id}`)) continue;
      rows.push({
        measure: e.name,
        id: m.id,
        label: m.label,
        unit: m.unit,
        better: betterOf(m),
        before: side(e, m),
        now: null,
        ratio: null,
        factor: null,
        verdict: 'not measured now',
        caveats: [],
      });
    }
  }
  return rows;
}

export function regressions(rows: readonly ComparisonRow[]): ComparisonRow[] {
  return rows.filter((r) => r.verdict === 'regression');
}

function fig(s: Side | null, unit: string): string {
  if (!s) return '—';
  if (s.median === null) return 'no figure';
  const at = s.commit === null ? '?' : `${s.commit.slice(0, 7)}${s.clean === false ? '+dirty' : ''}`;
  return `${tidy(s.median)} ${unit} @${at}`;
}

function verdictText(r: ComparisonRow): string {
  if (r.verdict === 'regression') return `REGRESSION: ${Math.round((r.factor! - 1) * 100)} % worse`;
  if (r.verdict === 'improvement') return `improved: ${Math.round((1 / r.factor! - 1) * 100)} % better`;
  return r.verdict;
}

/** A plain-text table of the comparison, and a closing line that names the threshold and the regressions. */
export function renderComparison(rows: readonly ComparisonRow[], baseName: string, threshold: number): string {
  const head = ['figure', 'before', 'now', 'now/before', 'verdict', 'caveats'];
  const body = rows.map((r) => [
    r.id,
    fig(r.before, r.unit),
    fig(r.now, r.unit),
    r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`,
    verdictText(r),
    r.caveats.join('; '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const bad = regressions(rows);
  return [
    line(head),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...body.map(line),
    '',
    `against ${baseName}; a figure counts as moved when it is more than ${Math.round(threshold * 100)} % worse or ` +
      'better in the direction that matters (times, CPU and memory lower, rates higher): the same code measured ' +
      'in two sessions on the 2-core reference machine moved by up to 13 %.',
    bad.length
      ? `${bad.length} regression(s): ${bad.map((r) => r.id).join(', ')}`
      : 'no regression beyond the threshold',
  ].join('\n');
}
