import type { Metric } from './measure.ts';
import type { RecordEntry } from './record.ts';
import { tidy } from './stats.ts';

function fmt(x: number | null, unit: string): string {
  if (x === null) return '—';
  const v = tidy(x)!;
  const s = Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : String(v);
  return unit === '%' ? `${s} %` : s;
}

function targetText(m: Metric): string {
  if (!m.target) return '';
  return `${m.target.kind === 'max' ? '≤' : '≥'} ${fmt(m.target.value, m.unit)}`;
}

function status(m: Metric): string {
  if (m.summary.meets === null) return m.target ? 'n/a' : '';
  return m.summary.meets ? 'ok' : 'MISSED';
}

/** "0.42× ≤ 0.5 ok" against the peer measured in the same runs. */
function peerText(m: Metric): string {
  const p = m.peer;
  if (!p || p.ratio === null) return '';
  return `${p.ratio.toFixed(2)}× (≤ ${p.target} ${p.meets ? 'ok' : 'MISSED'})`;
}

/** The commit a measure ran on, loudly marked when the tree was not clean. */
function commitCell(r: RecordEntry): string {
  const c = r.commit === null ? '?' : r.commit.slice(0, 7);
  return r.clean === false ? `${c} DIRTY TREE` : r.clean === null ? `${c} (tree ?)` : c;
}

export interface TableContext {
  cores: number;
}

/** A plain-text table (it reads well in a terminal and pasted into Markdown as a code block). */
export function renderTable(records: RecordEntry[], ctx: TableContext): string {
  const head = [
    'measure',
    'unit',
    'median',
    'min',
    'max',
    'n',
    'target',
    '× target',
    '',
    '× peer',
    'load 1m',
    'commit',
  ];
  const rows: string[][] = [];
  for (const r of records) {
    if (r.error) {
      rows.push([
        `${r.name}: FAILED — ${r.error.slice(0, 80)}`,
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        String(r.loadBefore.load[0]),
        commitCell(r),
      ]);
      continue;
    }
    for (const m of r.metrics) {
      const s = m.summary;
      rows.push([
        m.label,
        m.unit,
        s.median === null ? (m.note?.startsWith('not measured') ? 'not measured' : '—') : fmt(s.median, m.unit),
        fmt(s.min, m.unit),
        fmt(s.max, m.unit),
        String(s.n),
        targetText(m),
        s.ratio === null ? '' : `${s.ratio.toFixed(2)}×`,
        status(m),
        peerText(m),
        String(m.load1 ?? r.loadBefore.load[0]),
        commitCell(r),
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 || i === 1 || i === 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
  const notes = records.flatMap((r) => [
    ...(r.notes ?? []).map((n) => `${r.name}: ${n}`),
    ...r.metrics.filter((m) => m.note).map((m) => `${m.id}: ${m.note}`),
  ]);
  if (notes.length) out.push('', ...notes.map((n) => `  · ${n}`));
  out.push(
    '',
    `load 1m: median 1-minute load average at the start of the runs (else when the measure started), ` +
      `${ctx.cores} cores; × target: median / target; × peer: our median / the stock start's median, ` +
      'measured in the same runs; commit: what the measure ran on',
  );
  return out.join('\n');
}
