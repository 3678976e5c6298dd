import { escapeHtml } from '../../report/html-escape.ts';
import type { CapacityRecord, CapacityStep } from './model.ts';
import { resultLine } from './model.ts';
import { coresLine } from './cpu.ts';

const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : String(v));
const kib = (b: number | undefined): string => (b === undefined ? '—' : String(Math.round(b / 1024)));
const num = (v: number | undefined): string => (v === undefined ? '—' : String(Math.round(v)));

export const TABLE_HEAD = [
  'offered',
  'achieved',
  'lag p50',
  'lag p99',
  'source p99',
  'sink p99',
  'slot KiB',
  'consumer lag',
  'CPU cores',
  'sustained',
];

/** One row per step; backlogs as first third → last third of the step (medians). */
export function stepRow(s: CapacityStep): string[] {
  const j = s.judgement;
  const trend = (t: { first: number; last: number } | null, f: (v: number | undefined) => string) =>
    t ? `${f(t.first)}→${f(t.last)}` : '—';
  return [
    String(s.rate),
    String(j.achievedRate),
    ms(j.lag.p50),
    ms(j.lag.p99),
    ms(j.hops?.source.p99),
    ms(j.hops?.sink.p99),
    trend(j.slot, kib),
    trend(j.consumer, num),
    coresLine(s.cores ?? null),
    j.sustained ? 'yes' : `no (${j.gaveOut}): ${j.reasons.join('; ')}`,
  ];
}

/** A plain-text table for the terminal. */
export function renderTable(steps: readonly CapacityStep[]): string {
  const rows = [TABLE_HEAD, ...steps.map(stepRow)];
  const widths = TABLE_HEAD.map((_, i) => Math.max(...rows.map((r) => (i === r.length - 1 ? 0 : r[i]!.length))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padStart(widths[i]!))).join('  ')).join('\n');
}

export function renderCapacityMarkdown(r: CapacityRecord): string {
  const lines = [
    `# Capacity: ${r.scenario} workload on ${r.connectorsDir}`,
    '',
    `**${resultLine(r)}**`,
    '',
    `Provider ${r.provider}; seed ${r.seed}; ${r.stepMs / 1000} s a step; lag budget ${r.lagBudgetMs} ms; ` +
      `search from ${r.plan.from} to ${r.plan.max} ops/s, then ${r.plan.bisections} bisections.` +
      (r.interrupted ? ' **Interrupted.**' : ''),
    ...(r.versions
      ? [
          `Versions: ${Object.entries(r.versions)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}.`,
        ]
      : []),
    `Per-hop split: ${r.hopSplit.measured ? 'measured' : `not measured (${r.hopSplit.note ?? 'no marker in Kafka'})`}.`,
    '',
    'Lags in ms (markers committed during the workload); source = commit → in Kafka, sink = in Kafka → ' +
      'searchable; backlogs: median of the first third → the last third of the step; CPU: cores each program ' +
      'used while the workload ran (the harness drives the workload and observes).',
    '',
    `| ${TABLE_HEAD.join(' | ')} | run |`,
    `|${TABLE_HEAD.map(() => '---').join('|')}|---|`,
    ...r.steps.map((s) => `| ${stepRow(s).join(' | ')} | ${s.runDir} |`),
    '',
  ];
  return lines.join('\n');
}

/** rate against lag p99 (end to end, and per hop), with the budget: an inline SVG, no script, no external URL. */
export function renderChart(r: CapacityRecord): string {
  const W = 640;
  const H = 320;
  const P = { l: 60, r: 20, t: 20, b: 40 };
  const steps = [...r.steps].sort((a, b) => a.rate - b.rate);
  if (steps.length === 0) return '<p>No step ran.</p>';
  const series: { name: string; color: string; get: (s: CapacityStep) => number | null | undefined }[] = [
    { name: 'e2e p99', color: '#c0392b', get: (s) => s.judgement.lag.p99 },
    { name: 'source p99', color: '#2980b9', get: (s) => s.judgement.hops?.source.p99 },
    { name: 'sink p99', color: '#27ae60', get: (s) => s.judgement.hops?.sink.p99 },
  ];
  const values = steps.flatMap((s) => series.map((x) => x.get(s) ?? 0));
  const yMax = Math.max(r.lagBudgetMs, ...values) * 1.1;
  const xMax = Math.max(...steps.map((s) => s.rate));
  const x = (rate: number) => P.l + (rate / xMax) * (W - P.l - P.r);
  const y = (v: number) => H - P.b - (v / yMax) * (H - P.t - P.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<line x1="${P.l}" y1="${H - P.b}" x2="${W - P.r}" y2="${H - P.b}" stroke="#333"/>`,
    `<line x1="${P.l}" y1="${P.t}" x2="${P.l}" y2="${H - P.b}" stroke="#333"/>`,
    `<line x1="${P.l}" y1="${y(r.lagBudgetMs)}" x2="${W - P.r}" y2="${y(r.lagBudgetMs)}" stroke="#999" ` +
      `stroke-dasharray="4 3"/><text x="${W - P.r}" y="${y(r.lagBudgetMs) - 3}" text-anchor="end">budget</text>`,
    `<text x="${(W + P.l) / 2}" y="${H - 8}" text-anchor="middle">offered rate (ops/s)</text>`,
    `<text x="12" y="${(H - P.b) / 2}" transform="rotate(-90 12 ${(H - P.b) / 2})">lag p99 (ms)</text>`,
    `<text x="${P.l - 4}" y="${y(yMax / 1.1) + 4}" text-anchor="end">${Math.round(yMax / 1.1)}</text>`,
    `<text x="${P.l - 4}" y="${H - P.b + 4}" text-anchor="end">0</text>`,
  ];
  for (const s of steps)
    parts.push(
      `<text x="${x(s.rate)}" y="${H - P.b + 14}" text-anchor="middle"` +
        `${s.judgement.sustained ? '' : ' fill="#c0392b"'}>${s.rate}</text>`,
    );
  series.forEach((ser, i) => {
    const pts = steps.flatMap((s) => {
      const v = ser.get(s);
      return v === null || v === undefined ? [] : [`${x(s.rate).toFixed(1)},${y(v).toFixed(1)}`];
    });
    if (pts.length) {
      parts.push(`<polyline fill="none" stroke="${ser.color}" stroke-width="2" points="${pts.join(' ')}"/>`);
      for (const p of pts)
        parts.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="${ser.color}"/>`);
    }
    parts.push(`<text x="${P.l + 10 + i * 90}" y="${P.t + 4}" fill="${ser.color}">${ser.name}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function renderCapacityHtml(r: CapacityRecord): string {
  const rows = r.steps
    .map(
      (s) =>
        `<tr>${stepRow(s)
          .map((c) => `<td>${escapeHtml(c)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>capacity</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}
td:last-child{text-align:left}</style></head><body>
<h1>Capacity: ${escapeHtml(r.scenario)} workload</h1>
<p><b>${escapeHtml(resultLine(r))}</b></p>
${renderChart(r)}
<p>Red rates were not sustained. Source = commit → in Kafka; sink = in Kafka → searchable.</p>
<table><tr>${TABLE_HEAD.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>
${rows}
</table>
<p>generated from capacity.json</p>
</body></html>
`;
}
