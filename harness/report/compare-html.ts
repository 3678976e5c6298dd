import { metricRows, pipelineTitle, runLink, SAME_CONDITIONS, summaryRows, type Comparison } from './compare.ts';
import { escapeHtml as e } from './html-escape.ts';

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .75rem 0; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } th.sub { padding-left: 1.6rem; font-weight: normal; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.bad { background: #ffebe9; color: #82071e; font-weight: 600; }
td.good { background: #dafbe1; }
code { background: #f6f8fa; padding: .1rem .3rem; border-radius: 4px; }
.muted { color: #57606a; } ul { margin: .3rem 0; }
`;

function verdictClass(text: string): string {
  if (text.startsWith('converged')) return 'good';
  return text === '—' ? '' : 'bad';
}

/** The comparison as one self-contained page: the summary, then a side-by-side table per scenario. */
export function renderComparisonHtml(c: Comparison): string {
  const heads = c.pipelines.map((p) => `<th>${e(pipelineTitle(p))}</th>`).join('');
  const summary = summaryRows(c)
    .map(
      ([scenario, ...cells]) =>
        `<tr><th>${e(scenario ?? '')}</th>` +
        `${cells.map((x) => `<td class="${verdictClass(x)}">${e(x)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const sections = c.scenarios.map((s) => {
    const rows = metricRows(s)
      .map(
        (m) =>
          `<tr><th${m.label.startsWith('  ') ? ' class="sub"' : ''}>${e(m.label.trim())}</th>` +
          `${m.cells.map((x, i) => `<td class="num${m.bad[i] ? ' bad' : ''}">${e(x)}</td>`).join('')}</tr>`,
      )
      .join('\n');
    const links = s.runs.map((r) => `<td><a href="${e(runLink(c, r))}">run report</a></td>`).join('');
    const notes = s.runs.flatMap((r) =>
      r.report.notes.filter((n) => !n.startsWith('✘ ')).map((n) => `<li><b>${e(r.pipeline)}</b>: ${e(n)}</li>`),
    );
    return `<h2>${e(s.scenario)} <span class="muted">seed ${s.seed}</span></h2>
<p>${e(s.description)}</p>
<p class="muted">faults: ${e(s.faults)}</p>
<table><thead><tr><th></th>${s.runs.map((r) => `<th>${e(pipelineTitle(r))}</th>`).join('')}</tr></thead>
<tbody>
${rows}
<tr><th>details</th>${links}</tr>
</tbody></table>
${notes.length ? `<ul>${notes.join('')}</ul>` : ''}`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(`comparison ${c.id}`)}</title><style>${CSS}</style></head>
<body>
<h1>Comparison: ${e(c.scenarios.map((s) => s.scenario).join(', '))}</h1>
<p>${e(c.conditions ?? SAME_CONDITIONS)}</p>
<p>Replay: <code>${e(c.replay)}</code></p>
<table><thead><tr><th>scenario</th>${heads}</tr></thead><tbody>
${summary}
</tbody></table>
${sections.join('\n')}
<p class="muted">${e(c.id)} · ${e(c.createdAt)}</p>
</body></html>
`;
}
