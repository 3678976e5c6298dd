import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANOMALY_CLASSES, type AnomalyClass, type Verdict } from '../../record/anomalies.ts';
import { fmtDuration } from '../format.ts';
import { html, inlineSafe, raw, type Html } from '../html-escape.ts';
import { ANOMALY_MEANING, VERDICT_TEXT } from '../labels.ts';
import { pageHead } from '../page-head.ts';
import { rowKey, totalsLine, type RowResult, type SuiteRecord, type SuiteRow } from './model.ts';
import { sparkline } from './sparkline.ts';
import type { Trend } from './trends.ts';

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets');
let assets: { css: string; js: string } | undefined;
function inlineAssets(): { css: string; js: string } {
  assets ??= {
    css: readFileSync(join(ASSETS, 'report.css'), 'utf8') + readFileSync(join(ASSETS, 'suite.css'), 'utf8'),
    js: readFileSync(join(ASSETS, 'suite.client.js'), 'utf8'),
  };
  return assets;
}

const RESULT: Record<RowResult, { text: string; tone: string; order: number }> = {
  failed: { text: '✘ fail', tone: 'bad', order: 0 },
  'not-reproduced': { text: '⚠ not reproduced', tone: 'warn', order: 1 },
  skipped: { text: '⊘ skipped', tone: 'neutral', order: 2 },
  passed: { text: '✔ pass', tone: 'ok', order: 3 },
};

// Verdicts other than these two (converged-late, flapped, any added later) read as a warning.
const verdictTone = (v: Verdict): string => (v === 'converged' ? 'ok' : v === 'diverged' ? 'bad' : 'warn');
const verdictText = (v: Verdict): string => VERDICT_TEXT[v] ?? v;
const num = (n: number | null): string => (n === null ? '' : String(n));

function verdictBadge(v: Verdict | null): Html {
  return v === null
    ? html`<span class="none">—</span>`
    : html`<span class="badge ${verdictTone(v)}" data-verdict="${v}">${verdictText(v)}</span>`;
}

function expected(r: SuiteRow): Html {
  if (r.expectedVerdict === null) return html`<span class="none">—</span>`;
  const classes = r.expectedAnomalies?.length
    ? html` <span class="muted small">[${r.expectedAnomalies.join(', ')}]</span>`
    : '';
  return html`${verdictText(r.expectedVerdict)}${classes}`;
}

function convergence(r: SuiteRow): Html {
  // Red only where it is the failure: a zoo entry that must diverge never converges, as expected.
  const over =
    r.result !== 'passed' &&
    (r.timeToConvergenceMs === null || (r.budgetMs !== null && r.timeToConvergenceMs > r.budgetMs));
  const t = r.timeToConvergenceMs === null ? 'never' : fmtDuration(r.timeToConvergenceMs);
  return html`<td class="num${over ? ' over' : ''}" data-v="${num(r.timeToConvergenceMs)}">${t} <span class="muted small">/ ${fmtDuration(r.budgetMs)}</span></td>`;
}

function lag(r: SuiteRow): Html {
  const over = r.lagBudgetMs !== null && r.steadyLagP99Ms !== null && r.steadyLagP99Ms > r.lagBudgetMs;
  const budget =
    r.lagBudgetMs === null
      ? ''
      : html`<span class="sub">steady ${fmtDuration(r.steadyLagP99Ms)} / ${fmtDuration(r.lagBudgetMs)}</span>`;
  return html`<td class="num${over ? ' over' : ''}" data-v="${num(r.lagP99Ms)}">${fmtDuration(r.lagP99Ms)}${budget}</td>`;
}

function anomalyCell(r: SuiteRow, c: AnomalyClass): Html {
  const n = r.anomalies[c] ?? 0;
  const tone =
    n === 0
      ? 'zero'
      : r.expectedAnomalies?.includes(c) || (r.expectedVerdict === 'diverged' && r.result === 'passed')
        ? 'expected'
        : 'bad';
  return html`<td class="num count ${tone}" data-v="${n}">${n}</td>`;
}

function runRow(r: SuiteRow): Html {
  const res = RESULT[r.result];
  const sub = r.name !== r.scenario ? html`<span class="muted small">${r.scenario}</span>` : '';
  const ids = r.vacuous?.join(', ');
  const vacuous = ids
    ? html` <span class="badge bad" data-vacuous="${ids}" title="left no evidence">vacuous</span>`
    : '';
  const head = html`<td data-v="${res.order}"><span class="badge ${res.tone}">${res.text}</span>${vacuous}</td>`;
  const pipeline = html`<td class="mono small pipeline">${r.pipeline}</td>`;
  if (r.result === 'skipped') {
    // No figures to show: the reason spans their columns (the sorter puts such rows last).
    return html`<tr class="skipped" data-row="${r.name}" title="${r.headline}">${head}<td class="name" data-v="${r.name}"><b>${r.name}</b></td>${pipeline}<td class="skip-reason" colspan="${COLUMNS - 3}">skipped: ${r.reasons.join('; ')}</td></tr>`;
  }
  const why = r.result !== 'passed' && r.reasons.length ? html`<div class="why">${r.reasons.join('; ')}</div>` : '';
  const link = r.link === null ? html`<span class="none">—</span>` : html`<a href="${r.link}">report</a>`;
  return html`<tr class="${r.result}" data-row="${r.name}" title="${r.headline}">
${head}<td class="name" data-v="${r.name}"><b>${r.name}</b>${sub}${why}</td>${pipeline}
<td>${expected(r)}</td>
<td data-v="${r.verdict ?? ''}">${verdictBadge(r.verdict)}</td>
${convergence(r)}${lag(r)}${ANOMALY_CLASSES.map((c) => anomalyCell(r, c))}
<td class="num" data-v="${num(r.durationMs)}">${fmtDuration(r.durationMs)}</td>
<td>${link}</td>
</tr>`;
}

/** result, scenario, pipeline, expected, seen, convergence, lag, a column per class, wall time, run. */
const COLUMNS = 7 + ANOMALY_CLASSES.length + 2;

function runsTable(s: SuiteRecord): Html {
  const classHeads = ANOMALY_CLASSES.map(
    (c) => html`<th class="num class" data-type="num" title="${ANOMALY_MEANING[c] ?? c}">${c}</th>`,
  );
  return html`<section><h2>Runs <span class="muted small">click a column to sort</span></h2><div class="card scroll"><table class="runs" data-sortable>
<thead><tr><th data-type="num">result</th><th data-type="text">scenario</th><th data-type="text">pipeline</th><th>expected</th><th data-type="text">seen</th><th class="num" data-type="num" title="time to convergence after the last heal / the scenario's budget">convergence</th><th class="num" data-type="num">lag p99</th>${classHeads}<th class="num" data-type="num" title="wall time of the run">time</th><th>run</th></tr></thead>
<tbody>${s.rows.map(runRow)}</tbody></table></div></section>`;
}

function trendCell(
  t: Trend,
  pick: 'timeToConvergenceMs' | 'lagP99Ms',
  budget: number | null,
  name: string,
  regressed: string | null,
): Html {
  const points = t.points.map((p) => ({
    value: p[pick],
    bad: p.result === 'failed',
    label: `${p.suiteId}: ${p[pick] === null ? (pick === 'timeToConvergenceMs' ? 'never converged' : 'no samples') : fmtDuration(p[pick])}`,
  }));
  const now = t.points.at(-1)?.[pick] ?? null;
  const fig = html`<span class="fig">now ${now === null ? (pick === 'timeToConvergenceMs' ? 'never' : '—') : fmtDuration(now)}${t.points.length > 1 ? ` · ${t.points.length - 1} earlier` : ''}</span>`;
  const flag = regressed ? html`<div class="regressed">▲ ${regressed}</div>` : '';
  return html`<td><div class="trend-cell">${sparkline(points, { budget, name })}${fig}</div>${flag}</td>`;
}

function trendsSection(s: SuiteRecord, trends: ReadonlyMap<string, Trend>): Html {
  const rows = s.rows.flatMap((r) => {
    const t = trends.get(rowKey(r));
    return t ? [{ r, t }] : [];
  });
  const earlier = Math.max(0, ...rows.map(({ t }) => t.points.length - 1));
  const note =
    earlier === 0
      ? html`<p class="muted small">No earlier ${s.kind} suite under reports/ yet: from the next one on, each scenario's figures are drawn here, oldest left.</p>`
      : html`<p class="muted small">This suite and up to ${earlier} earlier ${s.kind} suite${earlier === 1 ? '' : 's'} under reports/, oldest left; red: a failed run, ✕: never converged, dashed: the budget.</p>`;
  return html`<section><h2>Trends</h2>${note}<div class="card scroll"><table class="trends"><thead><tr><th>scenario</th><th>pipeline</th><th>time to convergence</th><th>lag p99</th></tr></thead><tbody>${rows.map(
    ({ r, t }) =>
      html`<tr data-trend="${r.name}"><td><b>${r.name}</b></td><td class="mono small">${r.pipeline}</td>${trendCell(t, 'timeToConvergenceMs', r.budgetMs, 'convergence', t.slower)}${trendCell(t, 'lagP99Ms', null, 'lag-p99', t.laggier)}</tr>`,
  )}</tbody></table></div></section>`;
}

/** The suite's self-contained index.html: opens offline from a file:// URL; links lead to each run's page. */
export function renderSuiteHtml(s: SuiteRecord, trends: ReadonlyMap<string, Trend>): string {
  const a = inlineAssets();
  const ok = s.totals.failed === 0;
  const t = s.totals;
  const badges = [
    html`<span class="badge ok" data-total="passed">${t.passed} passed</span>`,
    t.failed ? html`<span class="badge bad" data-total="failed">${t.failed} failed</span>` : '',
    t.notReproduced ? html`<span class="badge warn">${t.notReproduced} not reproduced</span>` : '',
    t.skipped ? html`<span class="badge neutral" data-total="skipped">${t.skipped} skipped</span>` : '',
  ];
  const page = html`<!doctype html>
<html lang="en">
${pageHead(`${ok ? '✔' : '✘'} ${s.title} — ${totalsLine(t)}`, [a.css])}
<body>
<main class="suite">
<header class="suite ${ok ? 'passed' : 'failed'}">
  <div class="title-row"><span class="badge verdict ${ok ? 'ok' : 'bad'}" data-suite-result="${ok ? 'passed' : 'failed'}">${ok ? 'passed' : 'failed'}</span><h1>${s.title}</h1></div>
  <div class="totals">${badges}</div>
  <div class="meta"><span>suite <b>${s.id}</b></span><span>kind <b>${s.kind}</b></span><span>created <b>${s.createdAt}</b></span><span>provider <b>${s.providers.join(', ') || '—'}</b></span><span>runs <b>${s.rows.length}</b></span></div>
</header>
${runsTable(s)}
${trendsSection(s, trends)}
<footer>outbox-chaos suite report · schema v${s.schemaVersion} · ${s.id} · generated from suite.json and each run's report.json</footer>
</main>
<script>${raw(inlineSafe(a.js, 'script'))}</script>
</body>
</html>
`;
  return page.value;
}
