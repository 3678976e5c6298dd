import { ANOMALY_CLASSES, type AnomalyClass, type Verdict } from '../record/anomalies.ts';
import type { RunReport } from '../record/report.ts';
import { witnessText } from '../record/samples.ts';
import { fmtDuration, fmtInt } from './format.ts';

/** The anomaly vocabulary from DESIGN.md, so every report explains a class the same way. */
export const ANOMALY_MEANING: Record<AnomalyClass, string> = {
  missing: 'row in Postgres, no document',
  zombie: 'document, no row',
  stale: 'document equals an older committed version of the row',
  corrupt: 'document equals no committed version of the row',
  duplicate: 'more than one document for one product_id',
  'wrong-id': 'document _id is not its product_id: writes and deletes addressed by key miss it',
  'unexpected-field': 'document equals the row but carries a field no column explains (and none is declared)',
};

export const VERDICT_TEXT: Record<Verdict, string> = {
  converged: 'converged',
  'converged-late': 'converged late',
  flapped: 'flapped (equal, then overwritten)',
  diverged: 'diverged',
};

/** Examples shown per anomaly class in md/html (report.json may hold more). */
export const MAX_EXAMPLES = 10;

/** "12 missing, 3 zombie" — only classes that occurred, in vocabulary order. */
export function anomalySummary(report: RunReport): string {
  return ANOMALY_CLASSES.filter((c) => (report.anomalies.counts[c] ?? 0) > 0)
    .map((c) => `${fmtInt(report.anomalies.counts[c])} ${c}`)
    .join(', ');
}

/**
 * Whether an anomaly class is acceptable in this run: none occurred, or the scenario expected it (a zoo entry
 * lists its expected classes; without a list, a passing run that expected divergence accepts what it found).
 */
export function anomalyClassOk(report: RunReport, c: AnomalyClass): boolean {
  if ((report.anomalies.counts[c] ?? 0) === 0) return true;
  if (report.expectedAnomalies) return report.expectedAnomalies.includes(c);
  return report.expectedVerdict === 'diverged' && report.passed;
}

/**
 * The one-line summary that heads every report and CI log, e.g.
 * `✔ baseline converged in 1.8 s (budget 30 s) — seed 42, 3,120 ops` or `✘ es-outage diverged: 12 missing, 3 zombie`.
 */
/**
 * The line of a Java stack trace that says why: the last "Caused by:" (Connect wraps a task's failure in
 * generic frames first), else the first line.
 */
export function rootCause(trace: string): string {
  const lines = trace.trim().split(/\r?\n/);
  const causes = lines.filter((l) => l.startsWith('Caused by:'));
  return (causes.at(-1) ?? lines[0] ?? '').trim();
}

/** The p99 the lag budget is judged on: steady state (outside fault windows) when recorded. */
export function budgetedLagP99(r: RunReport): number | null {
  return r.lag.steady?.p99 ?? r.lag.e2e.p99;
}

export function headline(report: RunReport): string {
  const mark = report.passed ? '✔' : '✘';
  const budget = `(budget ${fmtDuration(report.budget.convergenceMs)})`;
  let what: string;
  if (report.verdict === 'diverged') {
    const found = anomalySummary(report);
    what = `diverged: ${found === '' ? 'not equal when the deadline passed' : found}`;
  } else {
    const late = report.verdict === 'converged-late' ? 'converged late' : 'converged';
    what =
      report.timeToConvergenceMs === null
        ? `${late} ${budget}`
        : `${late} in ${fmtDuration(report.timeToConvergenceMs)} ${budget}`;
  }
  let expectation = '';
  if (report.verdict !== report.expectedVerdict) {
    expectation = ` (expected ${VERDICT_TEXT[report.expectedVerdict]})`;
  } else if (report.verdict !== 'converged') {
    expectation = report.passed ? ' — as expected' : '';
  }
  const p99 = budgetedLagP99(report);
  const lagBudget = report.budget.lagP99Ms;
  const lagNote =
    lagBudget !== null && p99 !== null && p99 > lagBudget
      ? `; ${report.lag.steady ? 'steady-state ' : ''}${report.tables ? 'op visibility' : 'e2e'} lag p99 ` +
        `${fmtDuration(p99)} ` +
        `over budget ${fmtDuration(lagBudget)}`
      : '';
  const vacuous = report.vacuous?.length
    ? `; vacuous: ${report.vacuous.map((v) => v.id).join(', ')} left no evidence`
    : '';
  const tail = ` — seed ${report.seed}, ${fmtInt(report.ops.total)} ops`;
  return `${mark} ${report.scenario} ${what}${expectation}${lagNote}${vacuous}${tail}`;
}

/**
 * The checks beyond the final state, one line each: what search users saw on the way (regressions), whether
 * equality held (flaps), and whether the evidence itself holds (Postgres against the history, the warm-up).
 */
export function evidenceLines(r: RunReport): { what: string; result: string; bad: boolean; examples: string[] }[] {
  const out: { what: string; result: string; bad: boolean; examples: string[] }[] = [];
  const reg = r.regressions;
  if (reg) {
    out.push({
      what: 'regressions seen by search',
      result:
        reg.count === 0
          ? `none in ${fmtInt(reg.sampledProducts)} watched products`
          : `${fmtInt(reg.count)} of ${fmtInt(reg.sampledProducts)} watched products went back to an older version`,
      bad: reg.count > 0,
      examples: reg.examples.map(
        (x) =>
          `${x.table === undefined ? `product ${x.product_id}` : `${x.table} ${x.key}`}: ` +
          `version ${x.from.version} (op #${x.from.seq}), ` +
          `then ${x.to.version === 0 ? 'no document' : `version ${x.to.version} (op #${x.to.seq})`} ` +
          `${fmtDuration(x.to.t - x.from.t)} later`,
      ),
    });
  }
  for (const a of r.appends ?? []) {
    const shapes = Object.entries(a.byShape).map(([shape, n]) => `${fmtInt(n)} ${shape}`);
    out.push({
      what: `update order (${a.table}.${a.column})`,
      result:
        a.count === 0
          ? `every list of ${fmtInt(a.observations)} documents shown was a committed prefix, in order`
          : `${fmtInt(a.count)} of ${fmtInt(a.rows)} rows: ${shapes.join(', ')}`,
      bad: a.count > 0 || a.observations === 0,
      examples: a.examples.map((w) => witnessText(w)),
    });
  }
  const bound = r.expectation?.slotLagMb;
  if (bound) {
    const mb = r.slotLag === undefined ? undefined : r.slotLag.maxBytes / 1e6;
    const limit = 'max' in bound ? `at most ${bound.max} MB` : `at least ${bound.min} MB`;
    out.push({
      what: 'replication slot behind the WAL',
      result: mb === undefined ? `no sample (expected ${limit})` : `${mb.toFixed(1)} MB at most (expected ${limit})`,
      bad: mb === undefined || ('max' in bound ? mb > bound.max : mb < bound.min),
      examples: [],
    });
  }
  const dup = r.topicDuplicates;
  const wantDup = r.expectation?.duplicates;
  if (dup !== undefined && wantDup)
    out.push({
      what: "records sent twice (the sink's topics)",
      result:
        dup === null
          ? `the topics could not be read (expected ${wantDup})`
          : `${fmtInt(dup.duplicates)} of ${fmtInt(dup.records)} read as ${dup.isolation} (expected ${wantDup})`,
      bad: dup === null || (wantDup === 'none' ? dup.duplicates > 0 : dup.duplicates === 0),
      examples: dup?.examples ?? [],
    });
  const flaps = r.flaps ?? [];
  out.push({
    what: 'settle window',
    result:
      flaps.length === 0
        ? `equality held for ${fmtDuration(r.budget.settleMs ?? 0)}`
        : `the stores were equal, then differed again ${flaps.length} time(s)`,
    bad: flaps.length > 0,
    examples: flaps.map((f) => {
      const seen = ANOMALY_CLASSES.filter((c) => f.counts[c] > 0).map((c) => `${f.counts[c]} ${c}`);
      return (
        `equal ${fmtDuration(f.equalAtMs)} after the heal, ` +
        `differing ${fmtDuration(f.differedAtMs)} after it (${seen.join(', ')})`
      );
    }),
  });
  const setup = r.setupErrors;
  if (setup) {
    out.push({
      what: 'Postgres against the history',
      result:
        setup.count === 0
          ? 'consistent'
          : `${fmtInt(setup.count)} product(s) in a state the history does not allow: a setup error`,
      bad: setup.count > 0,
      examples: setup.examples.map((e) => `${e.key === undefined ? `product ${e.product_id}` : e.key}: ${e.detail}`),
    });
  }
  for (const t of r.tables ?? []) {
    const seen = ANOMALY_CLASSES.filter((c) => (t.counts[c] ?? 0) > 0).map((c) => `${fmtInt(t.counts[c] ?? 0)} ${c}`);
    out.push({
      what: `table ${t.table} → index ${t.index}`,
      result:
        `${fmtInt(t.pgRows)} rows, ${fmtInt(t.esDocs)} documents: ` +
        (seen.length ? seen.join(', ') : t.equal ? 'equal' : 'differing'),
      bad: !t.equal,
      examples: r.anomalies.examples
        ? ANOMALY_CLASSES.flatMap((c) => r.anomalies.examples[c] ?? [])
            .filter((a) => a.table === t.table)
            .slice(0, 3)
            .map((a) => `${a.class} ${a.key ?? a.product_id}: ${a.detail}`)
        : [],
    });
  }
  // Never silently skipped: a column the checker cannot read is named in every report.
  if (r.notCompared?.length)
    out.push({ what: 'not compared (lossy)', result: r.notCompared.join(', '), bad: false, examples: [] });
  if (r.warmUpFailure) out.push({ what: 'warm-up', result: `failed: ${r.warmUpFailure}`, bad: true, examples: [] });
  return out;
}

/** One line on which sink ran: "ours, in place of Confluent's (not installed)", or the class. */
export function sinkLine(r: RunReport): string | undefined {
  const s = r.sink;
  if (!s) return undefined;
  if (s.substituted) return `${s.ran}, in place of ${s.requested} (not installed on the worker; same keys)`;
  return s.ran;
}
