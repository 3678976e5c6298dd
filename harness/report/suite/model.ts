/**
 * A suite: the runs of one multi-run command (`run --all`, `zoo`, the integration tests, `compare`) as one
 * record, `suite.json`, that every suite renderer reads and later suites read back for their trends.
 */
import { isAbsolute, relative } from 'node:path';
import type { AnomalyClass, Verdict } from '../../record/anomalies.ts';
import { workRoot } from '../../record/paths.ts';
import type { RunReport } from '../../record/report.ts';
import { budgetedLagP99, headline } from '../labels.ts';

/** One run as the command that made it sees it. Only report and runDir are required. */
export interface SuiteRun {
  report: RunReport;
  runDir: string;
  /** Row name; default the scenario (a zoo entry: the entry's name). */
  name?: string;
  /** The pipeline under test; default the report's connectorsDir. */
  pipeline?: string;
  /** What this suite expected, when it is not the report's own expectation (a zoo control run: converged). */
  expectedVerdict?: Verdict;
  expectedAnomalies?: AnomalyClass[];
  /** Whether the run passes in this suite, when that is not `report.passed` (a zoo entry: caught as expected). */
  passed?: boolean;
  /** Why it failed, in the command's words. */
  reasons?: string[];
  /** Reported, never failing the suite (a zoo reproduction attempt). */
  optional?: boolean;
}

/** A scenario the command could not run here (a fault the provider cannot inject). */
export interface SuiteSkip {
  name: string;
  reason: string;
  pipeline?: string;
}

export type RowResult = 'passed' | 'failed' | 'not-reproduced' | 'skipped';

export interface SuiteRow {
  name: string;
  /** Faults of the run that left no evidence that they took effect: the run proves nothing (vacuous). */
  vacuous?: string[];
  scenario: string;
  pipeline: string;
  provider: string;
  result: RowResult;
  expectedVerdict: Verdict | null;
  expectedAnomalies: AnomalyClass[] | null;
  verdict: Verdict | null;
  timeToConvergenceMs: number | null;
  budgetMs: number | null;
  /** End-to-end lag p99 over the whole run, and the steady-state p99 the lag budget is judged on. */
  lagP99Ms: number | null;
  steadyLagP99Ms: number | null;
  lagBudgetMs: number | null;
  /** Per anomaly class: keyed by name, so a record written before a class existed still reads. */
  anomalies: Record<string, number>;
  durationMs: number | null;
  seed: number | null;
  runId: string | null;
  /** The run's index.html, relative to the suite directory. */
  link: string | null;
  headline: string;
  reasons: string[];
  replay: string | null;
  startedAt: string | null;
}

export interface SuiteTotals {
  passed: number;
  failed: number;
  notReproduced: number;
  skipped: number;
}

/** The share of the scenarios a `run --shard i/n` ran: how `report --merge` tells whether the shards are all there. */
export interface ShardRecord {
  /** 1-based, as CI matrices count. */
  index: number;
  count: number;
  /** Every scenario split between the shards, in the order named. */
  of: string[];
  /** The ones this shard ran. */
  assigned: string[];
}

export interface SuiteRecord {
  schemaVersion: 1;
  id: string;
  title: string;
  /** Which command made it: run, zoo, integration, compare. Trends compare suites of one kind. */
  kind: string;
  createdAt: string;
  providers: string[];
  totals: SuiteTotals;
  rows: SuiteRow[];
  shard?: ShardRecord;
}

/** A pipeline directory as people name it: relative to the project when it is inside it. */
export function pipelineLabel(dir: string): string {
  if (!isAbsolute(dir)) return dir;
  const rel = relative(workRoot(), dir);
  return rel === '' || rel.startsWith('..') ? dir : rel;
}

export function rowFromRun(run: SuiteRun, suiteDir: string): SuiteRow {
  const r = run.report;
  const passed = run.passed ?? r.passed;
  return {
    name: run.name ?? r.scenario,
    scenario: r.scenario,
    pipeline: run.pipeline ?? pipelineLabel(r.connectorsDir),
    provider: r.provider,
    result: passed ? 'passed' : run.optional ? 'not-reproduced' : 'failed',
    expectedVerdict: run.expectedVerdict ?? r.expectedVerdict,
    expectedAnomalies: run.expectedAnomalies ?? r.expectedAnomalies ?? null,
    verdict: r.verdict,
    timeToConvergenceMs: r.timeToConvergenceMs,
    budgetMs: r.budget.convergenceMs,
    lagP99Ms: r.lag.p99,
    steadyLagP99Ms: budgetedLagP99(r),
    lagBudgetMs: r.budget.lagP99Ms,
    anomalies: { ...r.anomalies.counts },
    durationMs: r.durationMs,
    seed: r.seed,
    runId: r.runId,
    link: relative(suiteDir, `${run.runDir}/index.html`),
    headline: headline(r),
    // A plain run's report says why it failed in its notes (what a human should read first).
    reasons: run.reasons ?? (passed ? [] : r.notes),
    ...(r.vacuous?.length ? { vacuous: r.vacuous.map((v) => v.id) } : {}),
    replay: r.replay,
    startedAt: r.startedAt,
  };
}

export function rowFromSkip(s: SuiteSkip): SuiteRow {
  return {
    name: s.name,
    scenario: s.name,
    pipeline: s.pipeline ?? '',
    provider: '',
    result: 'skipped',
    expectedVerdict: null,
    expectedAnomalies: null,
    verdict: null,
    timeToConvergenceMs: null,
    budgetMs: null,
    lagP99Ms: null,
    steadyLagP99Ms: null,
    lagBudgetMs: null,
    anomalies: {},
    durationMs: null,
    seed: null,
    runId: null,
    link: null,
    headline: `⊘ ${s.name} skipped: ${s.reason}`,
    reasons: [s.reason],
    replay: null,
    startedAt: null,
  };
}

export function totalsOf(rows: readonly SuiteRow[]): SuiteTotals {
  const n = (r: RowResult): number => rows.filter((x) => x.result === r).length;
  return { passed: n('passed'), failed: n('failed'), notReproduced: n('not-reproduced'), skipped: n('skipped') };
}

/** Trends follow a scenario on one pipeline and provider from suite to suite (containers run slower). */
export function rowKey(row: Pick<SuiteRow, 'name' | 'pipeline' | 'provider'>): string {
  return `${row.name}\u0000${row.pipeline}\u0000${row.provider}`;
}

/** The record of a suite, rows in the order the runs happened; pure apart from `relative` paths. */
export function buildSuite(
  runs: readonly SuiteRun[],
  skipped: readonly SuiteSkip[],
  o: { id: string; title: string; kind: string; createdAt: string; dir: string },
): SuiteRecord {
  const rows = [...runs.map((r) => rowFromRun(r, o.dir)), ...skipped.map(rowFromSkip)];
  return {
    schemaVersion: 1,
    id: o.id,
    title: o.title,
    kind: o.kind,
    createdAt: o.createdAt,
    providers: [...new Set(runs.map((r) => r.report.provider))],
    totals: totalsOf(rows),
    rows,
  };
}

/** "14 passed, 1 failed, 2 skipped" — only what occurred, passed always. */
export function totalsLine(t: SuiteTotals): string {
  const parts = [`${t.passed} passed`];
  if (t.failed) parts.push(`${t.failed} failed`);
  if (t.notReproduced) parts.push(`${t.notReproduced} not reproduced (not required)`);
  if (t.skipped) parts.push(`${t.skipped} skipped`);
  return parts.join(', ');
}
