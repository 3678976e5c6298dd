import type { RunReport } from '../record/report.ts';
import type { Sample } from '../record/samples.ts';
import { buildCharts, type ChartPayload } from './charts.ts';
import { html, inlineSafe, jsonForScript, raw, type Html } from './html-escape.ts';
import * as part from './html-sections.ts';
import { headline } from './labels.ts';
import { pageHead } from './page-head.ts';
import { inlineAssets } from './uplot-assets.ts';

function chartCard(payload: ChartPayload, i: number): Html {
  const spec = payload.charts[i];
  if (!spec) return html``;
  const empty = spec.samples === 0 ? ' · no samples' : '';
  return html`<div class="chart-card">
  <h3>${spec.title}</h3><div class="sub">${spec.subtitle} · x: seconds since run start${empty}</div>
  <div class="chart" data-chart="${spec.name}"></div>
  ${part.faultLegend(payload.windows)}
</div>`;
}

/** The self-contained `index.html` of a run: opens offline, from a file:// URL, with no external request. */
export function renderHtml(report: RunReport, samples: readonly Sample[]): string {
  const assets = inlineAssets();
  const payload = buildCharts(report, samples);
  const source = html`generated from report.json and samples.jsonl`;
  const page = html`<!doctype html>
<html lang="en">
${pageHead(headline(report), [assets.uplotCss, assets.css])}
<body>
<main>
${part.header(report)}
${part.notes(report)}
${part.keyFigures(report)}
<section><h2>Over time</h2><div class="charts">${payload.charts.map((_, i) => chartCard(payload, i))}</div></section>
${part.anomalies(report)}
${part.diagnoses(report)}
${part.evidence(report)}
<section class="grid-2">${part.faultWindows(report, payload.windows)}${part.operatorActions(report)}</section>
${part.operations(report)}
${part.connectors(report)}
<section class="grid-2">${part.versions(report)}${part.replay(report)}</section>
<footer>outbox-chaos report · schema v${report.schemaVersion} · ${report.runId} · ${source}</footer>
</main>
<script type="application/json" id="chart-data">${raw(jsonForScript(payload))}</script>
<script>${raw(inlineSafe(assets.uplotJs, 'script'))}</script>
<script>${raw(inlineSafe(assets.clientJs, 'script'))}</script>
</body>
</html>
`;
  return page.value;
}
