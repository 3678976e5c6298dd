import { join, relative } from 'node:path';
import { ANOMALY_CLASSES, type AnomalyClass } from '../../record/anomalies.ts';
import { PROJECT_ROOT } from '../../record/paths.ts';
import type { RunReport } from '../../record/report.ts';
import { fmtDuration } from '../../report/format.ts';
import { mdTable } from '../../report/md-table.ts';
import type { SuiteRun } from '../../report/suite/model.ts';
import { controlExpectation, type ZooEntry, type ZooOutcome } from './entries.ts';

/** "converged in 1.2 s [none]" / "diverged [zombie 171]". */
function observed(r: RunReport): string {
  const t =
    r.verdict !== 'diverged' && r.timeToConvergenceMs !== null ? ` in ${fmtDuration(r.timeToConvergenceMs)}` : '';
  // A run judged on its slot says how far the slot fell behind: that is what it was caught (or cleared) by.
  const slot = r.expectation?.slotLagMb && r.slotLag ? `, slot ${(r.slotLag.maxBytes / 1e6).toFixed(1)} MB behind` : '';
  return `${r.verdict}${t} [${classesOf(r.anomalies.counts)}]${slot}`;
}

/** "slot ≥ 48 MB behind", "slot ≤ 48 MB behind", or nothing. */
function slotBound(x: ZooEntry['scenario']['expect'] | undefined): string {
  const b = x?.slotLagMb;
  if (!b) return '';
  return 'min' in b ? `, slot ≥ ${b.min} MB behind` : `, slot ≤ ${b.max} MB behind`;
}

export function classesOf(counts: Record<AnomalyClass, number>): string {
  const seen = ANOMALY_CLASSES.filter((c) => (counts[c] ?? 0) > 0);
  return seen.length ? seen.map((c) => `${c} ${counts[c]}`).join(', ') : 'none';
}

/** Example product_ids of the expected classes (of whatever was seen, when none of those was). */
function examplesOf(report: RunReport, classes: readonly AnomalyClass[]): string {
  const has = (c: AnomalyClass): boolean => (report.anomalies.examples[c]?.length ?? 0) > 0;
  const expectedSeen = classes.filter(has);
  const pick = expectedSeen.length ? expectedSeen : ANOMALY_CLASSES.filter(has);
  return pick
    .map(
      (c) =>
        `${c}: ${report.anomalies.examples[c]
          .slice(0, 3)
          .map((a) => a.key ?? a.product_id)
          .join(', ')}`,
    )
    .join('; ');
}

/** What a control run must show: convergence, or the healthy pipeline's loud stop (zoo.yaml controlFailedTask). */
function controlVerdict(e: ZooEntry): 'converged' | 'diverged' {
  return e.extra.controlFailedTask ? 'diverged' : 'converged';
}

function expected(e: ZooEntry, control = false): string {
  const loud = e.extra.controlFailedTask;
  if (control)
    return loud
      ? `diverged + ${loud} task FAILED (healthy pipeline, control)`
      : `converged${slotBound(controlExpectation(e))} (healthy pipeline, control)`;
  const x = e.scenario.expect;
  return (
    `${x.verdict} [${x.anomalies.join(', ') || 'any'}]${slotBound(x)}` +
    `${e.extra.failedTask ? ` + ${e.extra.failedTask} task FAILED` : ''}`
  );
}

/**
 * The failed task (if any) as "sink task 0 FAILED: <root cause>": the last "Caused by:" of the trace says
 * why (Connect's own first line is always "Exiting WorkerSinkTask due to unrecoverable exception").
 */
function failedTaskLine(o: ZooOutcome): string | undefined {
  for (const role of ['source', 'sink'] as const) {
    const c = o.report.connectors.find((x) => x.name === o.entry.connectors[role]);
    const t = c?.tasks.find((x) => x.state === 'FAILED');
    if (!t) continue;
    const lines = (t.trace ?? '(no trace)').split('\n');
    const cause =
      lines
        .filter((l) => l.startsWith('Caused by: '))
        .pop()
        ?.slice('Caused by: '.length) ??
      lines[0] ??
      '';
    return `${role} task ${t.id} FAILED: ${cause.slice(0, 240)}`;
  }
  return undefined;
}

/** Expected vs observed for one entry, a few lines for the terminal. */
export function describeOutcome(o: ZooOutcome): string {
  const lines = [
    `${resultText(o, true)}  ${o.entry.name}${o.control ? ' (control: healthy pipeline)' : ''}  ` +
      `(${fmtDuration(o.wallMs)})`,
    `    change    ${o.control ? `none (control: ${relative(PROJECT_ROOT, o.entry.base)}/)` : o.entry.diff.join(', ')}`,
    `    expected  ${expected(o.entry, o.control)}`,
    `    observed  ${observed(o.report)}  (${o.report.final.pgRows} rows, ${o.report.final.esDocs} docs)`,
  ];
  const ex = examplesOf(o.report, o.entry.scenario.expect.anomalies);
  if (ex) lines.push(`    examples  ${ex}`);
  const ft = failedTaskLine(o);
  if (ft) lines.push(`    task      ${ft}`);
  for (const r of o.reasons) lines.push(`    ✘ ${r}`);
  lines.push(`    report    ${relative(process.cwd(), join(o.runDir, 'index.html'))}`);
  return lines.join('\n');
}

function resultText(o: ZooOutcome, mark = false): string {
  const m = (s: string, t: string): string => (mark ? `${s} ${t}` : t);
  if (o.control)
    return o.caught
      ? m('✔', o.entry.extra.controlFailedTask ? 'stopped loudly' : 'converged')
      : m('✘', 'CONTROL FAILED');
  if (o.caught) return m('✔', 'caught');
  return o.entry.extra.mustPass ? m('✘', 'NOT CAUGHT') : m('⚠', 'not reproduced (attempt, not in the must-pass set)');
}

export function summaryTable(outcomes: ZooOutcome[]): string {
  const rows = outcomes.map((o) => [
    o.entry.name,
    expected(o.entry, o.control),
    observed(o.report),
    examplesOf(o.report, o.control ? [] : o.entry.scenario.expect.anomalies) || '—',
    fmtDuration(o.wallMs),
    resultText(o),
  ]);
  return mdTable(['entry', 'expected', 'observed', 'examples (key)', 'wall time', 'result'], rows, [4]);
}

/** The outcomes as JSON (`zoo --json FILE`), for scripts that track the zoo over time. */
export function outcomesJson(outcomes: ZooOutcome[]): unknown[] {
  return outcomes.map((o) => ({
    entry: o.entry.name,
    control: o.control,
    dir: relative(PROJECT_ROOT, o.entry.dir),
    changed: o.entry.changed,
    diff: o.entry.diff,
    mustPass: o.entry.extra.mustPass,
    expected: o.control
      ? { verdict: controlVerdict(o.entry), failedTask: o.entry.extra.controlFailedTask ?? null }
      : {
          verdict: o.entry.scenario.expect.verdict,
          anomalies: o.entry.scenario.expect.anomalies,
          failedTask: o.entry.extra.failedTask ?? null,
        },
    observed: {
      verdict: o.report.verdict,
      counts: o.report.anomalies.counts,
      connectors: o.report.connectors.map((c) => ({
        name: c.name,
        state: c.state,
        tasks: c.tasks.map((t) => `${t.id}: ${t.state}`),
      })),
    },
    examples: Object.fromEntries(
      ANOMALY_CLASSES.map((c) => [c, o.report.anomalies.examples[c].slice(0, 5).map((a) => a.key ?? a.product_id)]),
    ),
    caught: o.caught,
    reasons: o.reasons,
    wallMs: o.wallMs,
    runDir: relative(PROJECT_ROOT, o.runDir),
  }));
}

/** Entries whose bug went uncaught (or whose control run did not converge); attempts never count. */
export function missedEntries(outcomes: ZooOutcome[]): ZooOutcome[] {
  return outcomes.filter((o) => !o.caught && (o.control || o.entry.extra.mustPass));
}

/** The zoo's last line: how many were caught, and which were not. */
export function zooLine(outcomes: ZooOutcome[], control: boolean): string {
  const missed = missedEntries(outcomes);
  const attempts = outcomes.filter((o) => !o.caught && !o.control && !o.entry.extra.mustPass);
  const caught = outcomes.filter((o) => o.caught).length;
  return (
    `zoo${control ? ' (control runs)' : ''}: ${caught} of ${outcomes.length} ` +
    `${control ? 'converged on the healthy pipeline' : 'caught'}` +
    (missed.length
      ? `; ${control ? 'did not converge' : 'NOT caught'}: ${missed.map((o) => o.entry.name).join(', ')}`
      : '') +
    (attempts.length ? `; not reproduced (attempts): ${attempts.map((o) => o.entry.name).join(', ')}` : '')
  );
}

/**
 * The outcomes as a suite: each entry under its own name, its directory as the pipeline, and "caught as
 * expected" (not the run's own verdict check) as the result; an attempt that did not reproduce never fails it.
 */
export function zooSuiteRuns(outcomes: ZooOutcome[]): SuiteRun[] {
  return outcomes.map((o) => ({
    report: o.report,
    runDir: o.runDir,
    name: o.entry.name,
    pipeline: o.control ? 'connectors' : relative(PROJECT_ROOT, o.entry.dir),
    expectedVerdict: o.control ? controlVerdict(o.entry) : o.entry.scenario.expect.verdict,
    expectedAnomalies: o.control ? [] : o.entry.scenario.expect.anomalies,
    passed: o.caught,
    reasons: o.reasons,
    optional: !o.control && !o.entry.extra.mustPass,
  }));
}
