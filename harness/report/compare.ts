/**
 * A side-by-side comparison: the same scenarios, seed and fault schedule run against several pipeline
 * definitions one after another, as one record (compare.json) and its Markdown. Pure functions of the runs'
 * reports, like every renderer here.
 */
import { relative } from 'node:path';
import { ANOMALY_CLASSES, type AnomalyClass } from '../record/anomalies.ts';
import type { RunReport } from '../record/report.ts';
import { fmtDuration, fmtInt } from './format.ts';
import { mdTable } from './md-table.ts';

export interface ComparedRun {
  /** The definition directory as given (connectors/outbox). */
  pipeline: string;
  /** Its kind (cdc, outbox, dual-write). */
  kind: string;
  report: RunReport;
  runDir: string;
}

export interface ComparedScenario {
  scenario: string;
  description: string;
  seed: number;
  /** The fault schedule every run of it had, for humans. */
  faults: string;
  runs: ComparedRun[];
}

export interface Comparison {
  id: string;
  dir: string;
  createdAt: string;
  /** The command that replays the whole comparison. */
  replay: string;
  /** How the runs were made alike, when not SAME_CONDITIONS (version sets: a stack each). */
  conditions?: string;
  /** The columns: a definition directory, or a version set, with the pipeline's kind. */
  pipelines: { pipeline: string; kind: string }[];
  scenarios: ComparedScenario[];
}

/** One metric as a row: a label and a cell per run; `bad` marks cells to highlight. */
export interface MetricRow {
  label: string;
  cells: string[];
  bad: boolean[];
}

export function pipelineTitle(p: { pipeline: string; kind: string }): string {
  return `${p.pipeline} (${p.kind})`;
}

function anomalyTotal(r: RunReport): number {
  return ANOMALY_CLASSES.reduce((n, c) => n + (r.anomalies.counts[c] ?? 0), 0);
}

/** "converged in 2.3 s", "diverged: missing 12, stale 4". */
export function outcomeText(r: RunReport): string {
  if (r.interrupted) return `interrupted (${r.interrupted.during})`;
  const classes = ANOMALY_CLASSES.filter((c) => (r.anomalies.counts[c] ?? 0) > 0).map(
    (c) => `${c} ${fmtInt(r.anomalies.counts[c])}`,
  );
  if (r.verdict === 'converged' || r.verdict === 'converged-late')
    return `${r.verdict} in ${fmtDuration(r.timeToConvergenceMs)}`;
  return classes.length ? `${r.verdict}: ${classes.join(', ')}` : r.verdict;
}

/** The programs a run had, in one cell: what a version comparison varies. */
export function versionsText(r: RunReport): string {
  const v = r.versions;
  const search = v.opensearch ? `opensearch ${v.opensearch}` : `es ${v.elasticsearch ?? '?'}`;
  return `pg ${v.postgres ?? '?'} · kafka ${v.kafka ?? '?'} · debezium ${v.debezium ?? '?'} · ${search}`;
}

/** The metrics of one scenario, a column per pipeline. */
export function metricRows(s: ComparedScenario): MetricRow[] {
  const runs = s.runs.map((x) => x.report);
  const row = (
    label: string,
    cell: (r: RunReport) => string,
    bad: (r: RunReport) => boolean = () => false,
  ): MetricRow => ({ label, cells: runs.map(cell), bad: runs.map(bad) });
  const seen = ANOMALY_CLASSES.filter((c) => runs.some((r) => (r.anomalies.counts[c] ?? 0) > 0));
  const classes: AnomalyClass[] = seen.length ? seen : ['missing', 'stale', 'zombie'];
  return [
    row(
      'verdict',
      (r) => `${r.passed ? '✔' : '✘'} ${r.verdict}`,
      (r) => !r.passed,
    ),
    row(
      'anomalies',
      (r) => fmtInt(anomalyTotal(r)),
      (r) => anomalyTotal(r) > 0,
    ),
    ...classes.map((c) =>
      row(
        `  ${c}`,
        (r) => fmtInt(r.anomalies.counts[c] ?? 0),
        (r) => (r.anomalies.counts[c] ?? 0) > 0,
      ),
    ),
    row(
      'time to convergence',
      (r) => fmtDuration(r.timeToConvergenceMs),
      (r) => r.timeToConvergenceMs === null,
    ),
    row('end-to-end lag p50 / p99', (r) => `${fmtDuration(r.lag.p50)} / ${fmtDuration(r.lag.p99)}`),
    row('pipeline throughput', (r) => (r.throughput === null ? '— (no relay)' : `${fmtInt(r.throughput)} events/s`)),
    row('workload', (r) => `${fmtInt(r.ops.total)} ops, ${r.ops.ratePerSec} ops/s`),
    row('versions', versionsText),
    row(
      'final rows / documents',
      (r) => `${fmtInt(r.final.pgRows)} / ${fmtInt(r.final.esDocs)}`,
      (r) => r.final.pgRows !== r.final.esDocs,
    ),
  ];
}

/** The run's own report, relative to the comparison's directory. */
export function runLink(c: Comparison, run: ComparedRun): string {
  return relative(c.dir, `${run.runDir}/index.html`);
}

/** The short table: a row per scenario, a column per pipeline, each cell the outcome. */
export function summaryRows(c: Comparison): string[][] {
  return c.scenarios.map((s) => [
    s.scenario,
    ...c.pipelines.map((p) => {
      const run = s.runs.find((x) => x.pipeline === p.pipeline);
      return run ? outcomeText(run.report) : '—';
    }),
  ]);
}

/** How the runs of a comparison were made alike, said on both the page and summary.md. */
export const SAME_CONDITIONS =
  'Each scenario ran once per pipeline on one stack, one after another, ' +
  'with the same seed, workload and fault schedule.';

export function renderComparisonMarkdown(c: Comparison): string {
  const heads = c.pipelines.map(pipelineTitle);
  const out = [
    `# Comparison: ${c.scenarios.map((s) => s.scenario).join(', ')} ` +
      `on ${c.pipelines.map((p) => p.pipeline).join(' vs ')}`,
    '',
    `${c.conditions ?? SAME_CONDITIONS} Replay: \`${c.replay}\``,
    '',
    mdTable(['scenario', ...heads], summaryRows(c)),
  ];
  for (const s of c.scenarios) {
    out.push('', `## ${s.scenario} (seed ${s.seed})`, '', s.description, '', `faults: ${s.faults}`, '');
    out.push(
      mdTable(
        ['', ...s.runs.map(pipelineTitle)],
        metricRows(s).map((m) => [m.label, ...m.cells]),
        s.runs.map((_, i) => i + 1),
      ),
    );
    out.push('', ...s.runs.map((r) => `- ${r.pipeline}: ${r.runDir}/report.md`));
    const notes = s.runs.flatMap((r) =>
      r.report.notes.filter((n) => !n.startsWith('✘ ')).map((n) => `- ${r.pipeline}: ${n}`),
    );
    if (notes.length) out.push('', ...notes);
  }
  return `${out.join('\n')}\n`;
}
