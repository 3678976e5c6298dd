import { ANOMALY_CLASSES, type AnomalyClass } from '../record/anomalies.ts';
import { redactSetting } from '../util/redact.ts';
import type { LagSummary, RunReport } from '../record/report.ts';
import { fmtDuration, fmtEsDocs, fmtInt, fmtOffset, fmtPgRow, fmtText } from './format.ts';
import {
  ANOMALY_MEANING,
  MAX_EXAMPLES,
  VERDICT_TEXT,
  anomalyClassOk,
  budgetedLagP99,
  evidenceLines,
  headline,
  rootCause,
  sinkLine,
} from './labels.ts';
import { mdTable } from './md-table.ts';

/** Lines of a failed task's stack trace worth showing inline; the full trace is in report.json. */
const TRACE_LINES = 4;

/**
 * The human summary (`report.md`). Its first line is the verdict in one sentence so a CI log or a junit failure
 * message says what happened before anyone opens a file; the tables below are padded to read as plain text.
 */
export function renderMarkdown(report: RunReport): string {
  const out: string[] = [headline(report), ''];
  if (report.notes.length > 0) {
    // Notes are what a human should read first (schema), so they come right after the headline.
    out.push(...report.notes.map((n) => `> ⚠ ${oneLine(n)}`), '');
  }
  out.push(`# ${report.scenario} — ${VERDICT_TEXT[report.verdict]}`, '');
  if (report.description.trim() !== '') out.push(report.description.trim(), '');
  out.push(...verdictSection(report), ...lagSection(report), ...opsSection(report), ...faultSection(report));
  out.push(
    ...operatorSection(report),
    ...connectorSection(report),
    ...anomalySection(report),
    ...diagnosisSection(report),
    ...evidenceSection(report),
  );
  out.push(...versionSection(report), ...replaySection(report));
  return (
    visibleControls(
      out
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trimEnd(),
    ) + '\n'
  );
}

/** Control characters from recorded text (notes, traces) would garble a terminal: show them as `\uXXXX`. */
function visibleControls(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000B-\u001F\u007F]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

/** The search engine as the versions name it (a local stack records `opensearch` in place of `elasticsearch`). */
export function searchEngine(r: Pick<RunReport, 'versions'>): string {
  const os = r.versions['opensearch'];
  if (os !== undefined) return `OpenSearch ${os}`;
  const es = r.versions['elasticsearch'];
  return es !== undefined ? `Elasticsearch ${es}` : 'Elasticsearch';
}

function verdictSection(r: RunReport): string[] {
  const budgetLag = r.budget.lagP99Ms;
  const rows: string[][] = [
    [
      'verdict',
      `${VERDICT_TEXT[r.verdict]} (expected ${VERDICT_TEXT[r.expectedVerdict]}) — ${r.passed ? 'PASS' : 'FAIL'}` +
        (r.vacuous?.length ? ` (vacuous: ${r.vacuous.map((v) => v.id).join(', ')} left no evidence)` : ''),
    ],
    ['time to convergence', `${fmtDuration(r.timeToConvergenceMs)} (budget ${fmtDuration(r.budget.convergenceMs)})`],
    [
      r.tables ? 'op visibility lag p99' : 'e2e lag p99',
      `${fmtDuration(r.tables ? r.lag.ops.p99 : r.lag.e2e.p99)} overall, ` +
        `${fmtDuration(budgetedLagP99(r))} outside fault windows` +
        `${budgetLag === null ? '' : ` (budget ${fmtDuration(budgetLag)})`}`,
    ],
    [
      'final state',
      `${fmtInt(r.final.pgRows)} rows in Postgres, ${fmtInt(r.final.esDocs)} documents in ${searchEngine(r)}`,
    ],
    ['throughput', r.throughput === null ? '—' : `${r.throughput.toFixed(1)} events/s (commit → searchable)`],
    ['duration', `${fmtDuration(r.durationMs)} (${r.startedAt} → ${r.finishedAt})`],
    ['seed / workload', `${r.seed} / ${r.workloadHash}`],
    ['run', `${r.runId} (provider ${r.provider}, connectors ${r.connectorsDir})`],
  ];
  if (r.expectedAnomalies) rows.splice(1, 0, ['expected anomalies', r.expectedAnomalies.join(', ') || 'none']);
  return ['## Verdict and budgets', '', mdTable(['what', 'result'], rows), ''];
}

function lagRow(name: string, s: LagSummary): string[] {
  return [name, fmtInt(s.samples), fmtDuration(s.p50), fmtDuration(s.p95), fmtDuration(s.p99), fmtDuration(s.max)];
}

function lagSection(r: RunReport): string[] {
  const table = mdTable(
    ['lag', 'samples', 'p50', 'p95', 'p99', 'max'],
    [lagRow('end-to-end (probe)', r.lag.e2e), lagRow('op visibility', r.lag.ops)],
    [1, 2, 3, 4, 5],
  );
  return ['## Lag', '', table, ''];
}

function opsSection(r: RunReport): string[] {
  const total = r.ops.total;
  const pct = (n: number): string => (total > 0 ? `${((100 * n) / total).toFixed(1)}%` : '—');
  const byKind = Object.entries(r.ops.byKind).map(([k, n]) => [k, fmtInt(n), pct(n)]);
  const byOutcome = Object.entries(r.ops.byOutcome).map(([k, n]) => [k, fmtInt(n), pct(n)]);
  return [
    '## Operations',
    '',
    `${fmtInt(total)} ops at ${r.ops.ratePerSec.toFixed(1)} ops/s.`,
    '',
    mdTable(['kind', 'ops', 'share'], byKind, [1, 2]),
    '',
    mdTable(['outcome', 'ops', 'share'], byOutcome, [1, 2]),
    '',
  ];
}

function runStart(r: RunReport): number {
  const t = Date.parse(r.startedAt);
  return Number.isFinite(t) ? t : (r.timeline[0]?.start ?? 0);
}

/** "✔ pid-replaced: pid 42 gone, …"; "✘ none looked for" when the fault recorded no evidence. */
function evidenceText(signs: RunReport['timeline'][number]['evidence']): string {
  if (!signs?.length) return '✘ none recorded';
  return signs.map((s) => `${s.seen ? '✔' : '✘'} ${s.sign}: ${oneLine(s.how)}`).join('; ');
}

function faultSection(r: RunReport): string[] {
  if (r.timeline.length === 0) return ['## Fault windows', '', 'No faults were injected.', ''];
  const start = runStart(r);
  const runEnd = start + r.durationMs;
  const rows = r.timeline.map((w) => [
    w.fault,
    w.target,
    fmtOffset(w.start, start),
    w.end >= runEnd ? `${fmtOffset(w.end, start)} (never healed)` : fmtOffset(w.end, start),
    fmtDuration(w.end - w.start),
    w.detail === undefined ? '' : oneLine(w.detail),
    evidenceText(w.evidence),
  ]);
  return [
    '## Fault windows',
    '',
    mdTable(['fault', 'target', 'start', 'end', 'duration', 'detail', 'evidence'], rows, [2, 3, 4]),
    '',
  ];
}

function operatorSection(r: RunReport): string[] {
  if (r.operatorActions.length === 0)
    return ['## Operator actions', '', 'None: the pipeline recovered on its own.', ''];
  const start = runStart(r);
  const rows = r.operatorActions.map((a) => [fmtOffset(a.t, start), oneLine(a.action), oneLine(a.reason)]);
  return ['## Operator actions', '', mdTable(['at', 'action', 'reason'], rows, [0]), ''];
}

function connectorSection(r: RunReport): string[] {
  if (r.connectors.length === 0) return ['## Connectors', '', 'No connector states were recorded.', ''];
  const rows = r.connectors.map((c) => [
    c.name,
    c.state,
    c.tasks.map((t) => `${t.id}: ${t.state}`).join(', ') || '(no tasks)',
  ]);
  const out = ['## Connectors', '', mdTable(['connector', 'state', 'tasks'], rows), ''];
  if (r.workerNonStock?.length) {
    const settings = r.workerNonStock.map((w) => `${w.key}=${w.value} (stock ${w.stock}${w.why ? `: ${w.why}` : ''})`);
    out.push(`Worker settings that differ from stock Kafka: ${settings.join('; ')}.`, '');
  }
  const sink = sinkLine(r);
  if (sink && r.sink) {
    out.push(
      `Sink: ${sink}.${r.sink.ignored.length ? ` Accepted and ignored: ${r.sink.ignored.join(', ')}.` : ''}`,
      '',
    );
    out.push(
      '<details><summary>sink config as it ran (defaults filled in)</summary>',
      '',
      mdTable(
        ['key', 'value'],
        Object.entries(r.sink.effective)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, redactSetting(k, v)]),
      ),
      '',
      '</details>',
      '',
    );
  }
  for (const c of r.connectors) {
    for (const t of c.tasks) {
      if (t.trace === undefined || t.trace.trim() === '') continue;
      const lines = t.trace.trim().split(/\r?\n/);
      const shown = lines.slice(0, TRACE_LINES);
      if (lines.length > shown.length) shown.push(`… ${lines.length - shown.length} more lines in report.json`);
      out.push(
        `${c.name} task ${t.id} ${t.state} — ${rootCause(t.trace)}`,
        '',
        '```',
        ...shown.map((l) => l.replace(/```/g, "'''")),
        '```',
        '',
      );
    }
  }
  return out;
}

function anomalySection(r: RunReport): string[] {
  const summary = mdTable(
    ['class', 'count', 'ok', 'meaning'],
    ANOMALY_CLASSES.map((c) => [
      c,
      fmtInt(r.anomalies.counts[c] ?? 0),
      anomalyClassOk(r, c) ? 'yes' : 'NO',
      ANOMALY_MEANING[c],
    ]),
    [1],
  );
  const out = ['## Anomalies', '', summary, ''];
  for (const c of ANOMALY_CLASSES) out.push(...anomalyExamples(r, c));
  return out;
}

function anomalyExamples(r: RunReport, c: AnomalyClass): string[] {
  const count = r.anomalies.counts[c] ?? 0;
  const examples = r.anomalies.examples[c] ?? [];
  if (count === 0 && examples.length === 0) return [];
  const shown = examples.slice(0, MAX_EXAMPLES);
  const rows = shown.map((a) => [
    String(a.key ?? a.product_id),
    fmtPgRow(a.pg),
    fmtEsDocs(a.es, a.product_id),
    fmtText(a.detail),
  ]);
  const out = [`### ${c} — ${fmtInt(count)} (${ANOMALY_MEANING[c]})`, ''];
  out.push(mdTable(['product_id', 'Postgres row', 'Elasticsearch document(s)', 'detail'], rows, [0]), '');
  if (count > shown.length) out.push(`Showing ${shown.length} of ${fmtInt(count)}.`, '');
  return out;
}

function diagnosisSection(r: RunReport): string[] {
  const d = r.diagnoses ?? [];
  if (d.length === 0) return [];
  return [
    '## Likely causes',
    '',
    ...d.flatMap((x) => [`- **${x.signature}** (${x.evidence.join(', ')}): ${oneLine(x.cause)}. Fix: \`${x.fix}\`.`]),
    '',
  ];
}

function evidenceSection(r: RunReport): string[] {
  const lines = evidenceLines(r);
  const out = [
    '## Beyond the final state',
    '',
    mdTable(
      ['check', 'result'],
      lines.map((l) => [l.what, `${l.bad ? '✘ ' : ''}${l.result}`]),
    ),
    '',
  ];
  for (const l of lines)
    if (l.examples.length) out.push(`${l.what}:`, '', ...l.examples.map((e) => `- ${oneLine(e)}`), '');
  return out;
}

function versionSection(r: RunReport): string[] {
  const rows = Object.entries(r.versions).map(([k, v]) => [k, v]);
  if (rows.length === 0) return ['## Versions', '', 'Not recorded.', ''];
  return ['## Versions', '', mdTable(['program', 'version'], rows), ''];
}

function replaySection(r: RunReport): string[] {
  return ['## Replay', '', '```sh', r.replay, '```', ''];
}

function oneLine(s: string): string {
  return s.replace(/\s*\r?\n\s*/g, ' ⏎ ');
}
