/** The server-rendered parts of index.html: header, key figures and tables (readable without JavaScript). */
import { ANOMALY_CLASSES, type Anomaly, type Verdict } from '../record/anomalies.ts';
import { redactSetting } from '../util/redact.ts';
import type { EsDoc } from '../record/anomalies.ts';
import type { LagSummary, RunReport } from '../record/report.ts';
import type { ChartWindow } from './charts.ts';
import { fmtDuration, fmtId, fmtInt, fmtOffset, fmtText, fmtValue } from './format.ts';
import { html, htmlJoin, type Html } from './html-escape.ts';
import {
  ANOMALY_MEANING,
  MAX_EXAMPLES,
  VERDICT_TEXT,
  anomalyClassOk,
  anomalySummary,
  budgetedLagP99,
  evidenceLines,
  headline,
  rootCause,
  sinkLine,
} from './labels.ts';

const VERDICT_TONE: Record<Verdict, 'ok' | 'warn' | 'bad'> = {
  converged: 'ok',
  'converged-late': 'warn',
  flapped: 'bad',
  diverged: 'bad',
};
const TRACE_LINES = 4;

function runStart(r: RunReport): number {
  const t = Date.parse(r.startedAt);
  return Number.isFinite(t) ? t : (r.timeline[0]?.start ?? 0);
}

/** The run proves nothing: a fault left no evidence that it took effect. */
function vacuousBadge(r: RunReport): Html | '' {
  const ids = r.vacuous?.map((v) => v.id).join(' ');
  return ids ? html`<span class="badge bad" data-vacuous="${ids}">vacuous</span>` : '';
}

export function header(r: RunReport): Html {
  const line = headline(r).replace(/^[✔✘]\s*/, '');
  const expected =
    r.expectedVerdict === r.verdict
      ? ''
      : html`<span class="muted small">expected ${VERDICT_TEXT[r.expectedVerdict]}</span>`;
  return html`<header class="run ${r.verdict}">
  <div class="title-row">
    <span class="badge verdict ${VERDICT_TONE[r.verdict]}" data-verdict="${r.verdict}">${VERDICT_TEXT[r.verdict]}</span>
    <h1>${r.scenario}</h1>
    <span class="badge ${r.passed ? 'ok' : 'bad'}">${r.passed ? '✔ pass' : '✘ fail'}</span>
    ${vacuousBadge(r)}
    ${expected}
  </div>
  <p class="headline">${line}</p>
  ${r.description.trim() === '' ? '' : html`<p class="muted">${r.description}</p>`}
  <div class="meta">
    <span>seed <b>${r.seed}</b></span><span>workload <b>${r.workloadHash}</b></span>
    <span>started <b>${r.startedAt}</b></span><span>duration <b>${fmtDuration(r.durationMs)}</b></span>
    <span>provider <b>${r.provider}</b></span><span>run <b>${r.runId}</b></span>
  </div>
</header>`;
}

export function notes(r: RunReport): Html {
  if (r.notes.length === 0) return html``;
  const items = r.notes.map((n) => html`<li>${n}</li>`);
  return html`<section class="notes" aria-label="notes"><strong>Read first</strong><ul>${items}</ul></section>`;
}

function kpi(label: string, value: string, sub: string, tone: '' | 'ok' | 'warn' | 'bad' = ''): Html {
  return htmlJoin(
    html`<div class="kpi ${tone}"><div class="label">${label}</div>`,
    html`<div class="value">${value}</div><div class="sub">${sub}</div></div>`,
  );
}

function lagSub(s: LagSummary): string {
  if (s.samples === 0) return 'no samples';
  return `p50 ${fmtDuration(s.p50)} · p95 ${fmtDuration(s.p95)} · max ${fmtDuration(s.max)} · n=${fmtInt(s.samples)}`;
}

export function keyFigures(r: RunReport): Html {
  const ttc = r.timeToConvergenceMs;
  const ttcTone = ttc === null ? 'bad' : ttc <= r.budget.convergenceMs ? 'ok' : 'warn';
  const lagBudget = r.budget.lagP99Ms;
  const p99 = budgetedLagP99(r);
  const lagTone = lagBudget === null || p99 === null ? '' : p99 <= lagBudget ? 'ok' : 'bad';
  const anomalies = ANOMALY_CLASSES.reduce((n, c) => n + (r.anomalies.counts[c] ?? 0), 0);
  const outcome = r.ops.byOutcome;
  const ttcText = ttc === null ? 'never' : fmtDuration(ttc);
  const lagText = `${lagSub(r.lag.e2e)}${lagBudget === null ? '' : ` · budget ${fmtDuration(lagBudget)}`}`;
  const failedText = `${fmtInt(outcome.failed)} failed · ${fmtInt(outcome.unknown)} unknown`;
  const opsText = `${r.ops.ratePerSec.toFixed(1)} ops/s · ${failedText}`;
  const rowsText = `${fmtInt(r.final.pgRows)} / ${fmtInt(r.final.esDocs)}`;
  const rowsSub = r.throughput === null ? 'at the final check' : `throughput ${r.throughput.toFixed(1)} events/s`;
  const rowsTone = r.final.pgRows === r.final.esDocs ? '' : 'bad';
  const anomalyTone = anomalies === 0 ? 'ok' : r.passed ? 'warn' : 'bad';
  return html`<section class="kpis" aria-label="key figures">
  ${kpi('Time to convergence', ttcText, `budget ${fmtDuration(r.budget.convergenceMs)}`, ttcTone)}
  ${kpi('End-to-end lag p99', fmtDuration(p99), lagText, lagTone)}
  ${kpi('Op visibility lag p99', fmtDuration(r.lag.ops.p99), lagSub(r.lag.ops))}
  ${kpi('Operations', fmtInt(r.ops.total), opsText)}
  ${kpi('Postgres rows / ES docs', rowsText, rowsSub, rowsTone)}
  ${kpi('Anomalies', fmtInt(anomalies), anomalies === 0 ? 'none found' : anomalySummary(r), anomalyTone)}
</section>`;
}

export function faultLegend(windows: readonly ChartWindow[]): Html {
  if (windows.length === 0) return html`<ul class="fault-legend"><li>no fault windows</li></ul>`;
  return html`<ul class="fault-legend">${windows.map((w) =>
    htmlJoin(
      html`<li title="${w.detail ?? ''}">`,
      html`<span class="swatch" style="background:${w.fill};border-color:${w.color}"></span>`,
      html`${w.fault} → ${w.target} (${w.start.toFixed(1)}–${w.end.toFixed(1)} s)</li>`,
    ),
  )}</ul>`;
}

/** Fields as `key: value` lines; keys in `differs` are highlighted (raw value differs from the Postgres row). */
function kvFields(obj: object, omit: readonly string[] = [], differs: ReadonlySet<string> = new Set()): Html {
  const entries = Object.entries(obj).filter(([k]) => !omit.includes(k));
  if (entries.length === 0) return html`<div class="kv"><div class="note">(no fields)</div></div>`;
  return html`<div class="kv">${entries.map(([k, v]) =>
    differs.has(k)
      ? html`<div class="diff" title="differs from the Postgres row"><span class="k">${k}:</span> ${fmtValue(v)}</div>`
      : html`<div><span class="k">${k}:</span> ${fmtValue(v)}</div>`,
  )}</div>`;
}

function pgCell(a: Anomaly): Html {
  return a.pg === null ? html`<span class="none">no row</span>` : kvFields(a.pg, ['product_id']);
}

/** Keys present in both whose raw values differ; a reader's eye goes straight to the corrupted field. */
function differingKeys(pg: object | null, source: Record<string, unknown>): Set<string> {
  if (pg === null) return new Set();
  const row = new Map(Object.entries(pg));
  return new Set(
    Object.keys(source).filter((k) => row.has(k) && JSON.stringify(row.get(k)) !== JSON.stringify(source[k])),
  );
}

function esCell(a: Anomaly): Html {
  if (a.es.length === 0) return html`<span class="none">no document</span>`;
  return html`${a.es.map((d: EsDoc) => {
    const omit = d._source['product_id'] === a.product_id ? ['product_id'] : [];
    const fields = kvFields(d._source, omit, differingKeys(a.pg, d._source));
    return html`<div class="doc"><div class="doc-id">_id ${fmtId(d._id)}</div>${fields}</div>`;
  })}`;
}

export function anomalies(r: RunReport): Html {
  const summary = html`<div class="card scroll"><table>
  <thead><tr><th>class</th><th class="num">count</th><th>status</th><th>meaning</th></tr></thead>
  <tbody>${ANOMALY_CLASSES.map((c) => {
    const n = r.anomalies.counts[c] ?? 0;
    const ok = anomalyClassOk(r, c);
    const status =
      n === 0
        ? html`<span class="badge ok">none</span>`
        : ok
          ? html`<span class="badge warn">expected</span>`
          : html`<span class="badge bad">unexpected</span>`;
    return htmlJoin(
      html`<tr><td><b>${c}</b></td><td class="num">${fmtInt(n)}</td><td>${status}</td>`,
      html`<td class="muted">${ANOMALY_MEANING[c]}</td></tr>`,
    );
  })}</tbody></table></div>`;

  const rows = ANOMALY_CLASSES.flatMap((c) => {
    const examples = (r.anomalies.examples[c] ?? []).slice(0, MAX_EXAMPLES);
    const count = r.anomalies.counts[c] ?? 0;
    const out = examples.map((a) =>
      htmlJoin(
        html`<tr data-class="${c}"><td><span class="badge ${anomalyClassOk(r, c) ? 'warn' : 'bad'}">${c}</span></td>`,
        html`<td class="num mono">${a.key ?? a.product_id}</td><td>${pgCell(a)}</td><td>${esCell(a)}</td>`,
        html`<td>${fmtText(a.detail, 240)}</td></tr>`,
      ),
    );
    if (count > examples.length) {
      out.push(
        htmlJoin(
          html`<tr><td colspan="5" class="muted small">${c}: showing ${examples.length} of ${fmtInt(count)} `,
          html`(report.json holds the examples the checker kept)</td></tr>`,
        ),
      );
    }
    return out;
  });
  const examples =
    rows.length === 0
      ? html``
      : htmlJoin(
          html`<h3>Examples</h3><div class="card scroll"><table class="anomalies">
  <thead><tr><th>class</th><th class="num">product_id</th><th>Postgres row</th>`,
          html`<th>Elasticsearch document(s) <span class="diff-key">differs</span></th><th>detail</th></tr></thead>
  <tbody>${rows}</tbody></table></div>`,
        );
  return html`<section><h2>Anomalies</h2>${summary}${examples}</section>`;
}

/** Likely causes of what was found, beside the evidence, each with the config key that fixes it. */
export function diagnoses(r: RunReport): Html {
  const d = r.diagnoses ?? [];
  if (d.length === 0) return html``;
  return html`<section><h2>Likely causes</h2><div class="card"><ul>${d.map((x) =>
    htmlJoin(
      html`<li><b>${x.signature}</b> <span class="muted small">(${x.evidence.join(', ')})</span><br>`,
      html`${x.cause}<br>fix: <code>${x.fix}</code></li>`,
    ),
  )}</ul></div></section>`;
}

/** Regressions seen by search, the settle window, Postgres against the history, the warm-up. */
export function evidence(r: RunReport): Html {
  const lines = evidenceLines(r);
  return html`<section><h2>Beyond the final state</h2><div class="card scroll"><table>
  <thead><tr><th>check</th><th>result</th></tr></thead>
  <tbody>${lines.map((l) => {
    const items = l.examples.slice(0, MAX_EXAMPLES).map((e) => html`<li>${fmtText(e, 240)}</li>`);
    const list = l.examples.length ? html`<ul class="small">${items}</ul>` : '';
    return htmlJoin(
      html`<tr><td><b>${l.what}</b></td>`,
      html`<td><span class="badge ${l.bad ? 'bad' : 'ok'}">${l.bad ? 'no' : 'ok'}</span> ${l.result}${list}</td></tr>`,
    );
  })}</tbody></table></div></section>`;
}

const EVIDENCE_TH = html`<th>evidence</th>`;

/** Each sign the fault looked for, seen or not, with how; a fault that recorded none says so in red. */
function evidenceCell(signs: RunReport['timeline'][number]['evidence']): Html {
  return html`<td class="detail">${evidenceList(signs)}</td>`;
}

function evidenceList(signs: RunReport['timeline'][number]['evidence']): Html {
  if (!signs?.length) return html`<span class="badge bad">none recorded</span>`;
  return html`${signs.map((s) => {
    const badge = html`<span class="badge ${s.seen ? 'ok' : 'bad'}">${s.seen ? '✔' : '✘'} ${s.sign}</span>`;
    return html`<div>${badge} <span class="muted">${s.how}</span></div>`;
  })}`;
}

export function faultWindows(r: RunReport, windows: readonly ChartWindow[]): Html {
  const start = runStart(r);
  const runEnd = start + r.durationMs;
  const num = (label: string) => html`<th class="num">${label}</th>`;
  const cols = html`${num('start')}${num('end')}${num('duration')}<th>detail</th>${EVIDENCE_TH}`;
  const head = html`<tr><th>fault</th><th>target</th>${cols}</tr>`;
  const row = (w: RunReport['timeline'][number], i: number): Html => {
    const cw = windows[i];
    const swatch = cw ? html`<span class="swatch" style="background:${cw.fill};border-color:${cw.color}"></span>` : '';
    const never = w.end >= runEnd ? html` <span class="badge bad">never healed</span>` : '';
    const from = html`<td class="num">${fmtOffset(w.start, start)}</td>`;
    const to = html`<td class="num">${fmtOffset(w.end, start)}${never}</td>`;
    const took = html`<td class="num">${fmtDuration(w.end - w.start)}</td>`;
    const what = html`<td class="nowrap">${swatch}<b>${w.fault}</b></td><td>${w.target}</td>`;
    const detail = html`<td class="muted detail">${w.detail ?? ''}</td>`;
    return html`<tr>${what}${from}${to}${took}${detail}${evidenceCell(w.evidence)}</tr>`;
  };
  const body =
    r.timeline.length === 0
      ? html`<div class="empty">No faults were injected.</div>`
      : html`<div class="scroll"><table><thead>${head}</thead><tbody>${r.timeline.map(row)}</tbody></table></div>`;
  return html`<div><h2>Fault windows</h2><div class="card">${body}</div></div>`;
}

export function operatorActions(r: RunReport): Html {
  const start = runStart(r);
  const head = html`<thead><tr><th class="num">at</th><th>action</th><th>reason</th></tr></thead>`;
  const body =
    r.operatorActions.length === 0
      ? html`<div class="empty">None: the pipeline recovered on its own.</div>`
      : html`<div class="scroll"><table>${head}<tbody>${r.operatorActions.map((a) =>
          htmlJoin(
            html`<tr><td class="num">${fmtOffset(a.t, start)}</td><td><b>${a.action}</b></td>`,
            html`<td class="muted">${a.reason}</td></tr>`,
          ),
        )}</tbody></table></div>`;
  return html`<div><h2>Operator actions</h2><div class="card">${body}</div></div>`;
}

function countTable(title: string, counts: Record<string, number>, total: number): Html {
  const head = html`<thead><tr><th>${title}</th><th class="num">ops</th><th class="num">share</th></tr></thead>`;
  const rows = Object.entries(counts).map(([k, n]) => {
    const share = total > 0 ? `${((100 * n) / total).toFixed(1)}%` : '—';
    return html`<tr><td>${k}</td><td class="num">${fmtInt(n)}</td><td class="num">${share}</td></tr>`;
  });
  return html`<div class="card scroll"><table>${head}<tbody>${rows}</tbody></table></div>`;
}

export function operations(r: RunReport): Html {
  const ops = `${fmtInt(r.ops.total)} ops at ${r.ops.ratePerSec.toFixed(1)} ops/s`;
  const rate = html`<span class="muted small">${ops}</span>`;
  const kinds = countTable('kind', r.ops.byKind, r.ops.total);
  const outcomes = countTable('outcome', r.ops.byOutcome, r.ops.total);
  return html`<section><h2>Operations ${rate}</h2>
<div class="grid-2">${kinds}${outcomes}</div></section>`;
}

function stateBadge(state: string): Html {
  const tone =
    state === 'RUNNING'
      ? 'ok'
      : state === 'FAILED'
        ? 'bad'
        : state === 'PAUSED' || state === 'UNASSIGNED' || state === 'RESTARTING'
          ? 'warn'
          : 'neutral';
  return html`<span class="badge ${tone}">${state}</span>`;
}

function trace(t: string): Html {
  const lines = t.trim().split(/\r?\n/);
  const head = lines.slice(0, TRACE_LINES).join('\n');
  const more =
    lines.length > TRACE_LINES
      ? htmlJoin(
          html`<details><summary>full trace (${lines.length} lines)</summary>`,
          html`<pre class="trace">${t.trim()}</pre></details>`,
        )
      : '';
  return html`<div class="trace-cause">${rootCause(t)}</div><pre class="trace">${head}</pre>${more}`;
}

export function connectors(r: RunReport): Html {
  const head = html`<thead><tr><th>connector</th><th>state</th><th>tasks</th></tr></thead>`;
  const body =
    r.connectors.length === 0
      ? html`<div class="empty">No connector states were recorded.</div>`
      : html`<div class="scroll"><table>${head}<tbody>${r.connectors.map(
          (c) =>
            html`<tr><td><b>${c.name}</b></td><td>${stateBadge(c.state)}</td><td>${
              c.tasks.length === 0
                ? html`<span class="none">no tasks</span>`
                : c.tasks.map(
                    (t) => html`<div>task ${t.id} ${stateBadge(t.state)}${t.trace ? trace(t.trace) : ''}</div>`,
                  )
            }</td></tr>`,
        )}</tbody></table></div>`;
  const sink = sinkLine(r);
  const config = r.sink
    ? html`<details><summary>sink: ${sink}</summary><div class="scroll"><table><tbody>${Object.entries(r.sink.effective)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => {
          const ignored = r.sink!.ignored.includes(k) ? html` <span class="badge warn">ignored</span>` : '';
          return html`<tr><td class="mono">${k}</td><td class="mono">${redactSetting(k, v)}${ignored}</td></tr>`;
        })}</tbody></table></div></details>`
    : '';
  const title = html`<h2>Connectors <span class="muted small">final states</span></h2>`;
  return html`<section>${title}<div class="card">${body}${config}</div></section>`;
}

export function versions(r: RunReport): Html {
  const entries = Object.entries(r.versions);
  const rows = entries.map(([k, v]) => html`<tr><td>${k}</td><td class="mono">${v}</td></tr>`);
  const body =
    entries.length === 0
      ? html`<div class="empty">Not recorded.</div>`
      : html`<table><thead><tr><th>program</th><th>version</th></tr></thead><tbody>${rows}</tbody></table>`;
  return html`<div><h2>Versions</h2><div class="card scroll">${body}</div></div>`;
}

export function replay(r: RunReport): Html {
  const cmd = html`<pre id="replay-cmd">${r.replay}</pre><button type="button" data-copy="replay-cmd">Copy</button>`;
  return html`<div><h2>Replay</h2><div class="replay">${cmd}</div>
<p class="muted small">Re-render this report offline: <code>outbox-chaos report &lt;run-dir&gt;</code></p></div>`;
}
