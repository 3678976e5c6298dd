/**
 * The Performance table of docs/performance.md, generated from the record: a unit test keeps the page equal to
 * it, and `npm run bench` rewrites it with the record.
 */
import type { Metric } from './measure.ts';
import type { BenchRecord, RecordEntry } from './record.ts';
import { tidy } from './stats.ts';

export const DOC_START = '<!-- bench-record:start (generated from bench/record.json) -->';
export const DOC_END = '<!-- bench-record:end -->';

export interface MeasureName {
  name: string;
  title: string;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const row = (cells: string[]): string => `|${cells.map((c) => (c ? ` ${c} ` : ' ')).join('|')}|`;

function num(x: number | null, unit: string): string {
  if (x === null) return '—';
  const v = tidy(x)!;
  const s = Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : String(v);
  return unit === '%' ? `${s} %` : `${s} ${unit}`;
}

function bare(x: number | null): string {
  if (x === null) return '—';
  const v = tidy(x)!;
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : String(v);
}

function commitText(commit: string | null): string {
  return commit === null ? 'an unknown commit' : `\`${commit.slice(0, 7)}\``;
}

function provenance(e: RecordEntry): string {
  const parts = [`measured on ${commitText(e.commit)}`];
  if (e.clean === false) parts.push(`**on a dirty tree** (${e.changes?.length ?? '?'} changed paths)`);
  else if (e.clean === null) parts.push('tree state unknown');
  parts.push(e.startedAt.slice(0, 10));
  if (e.invocation?.quick) parts.push('**--quick**');
  if (e.machine) parts.push(`${e.machine.cores} cores`);
  if (e.loadBefore) parts.push(`load ${e.loadBefore.load.join(' / ')} at start`);
  let out = parts.join(', ');
  if (e.lastFailure) {
    out +=
      `; the last run, on ${commitText(e.lastFailure.commit)} (${e.lastFailure.startedAt.slice(0, 10)}), ` +
      `gave no figure: ${e.lastFailure.error.split('\n')[0]!.slice(0, 100)}`;
  }
  return out;
}

function goalText(m: Metric): string {
  if (!m.target) return '';
  return `${m.target.kind === 'max' ? '≤' : '≥'} ${num(m.target.value, m.unit)}`;
}

function ratioText(m: Metric): string {
  const parts: string[] = [];
  if (m.summary.ratio !== null) parts.push(`${m.summary.ratio.toFixed(2)} ${m.summary.meets ? '✔' : '✘ missed'}`);
  if (m.peer && m.peer.ratio !== null) {
    parts.push(`${m.peer.ratio.toFixed(2)}× the stock peer (≤ ${m.peer.target}) ${m.peer.meets ? '✔' : '✘ missed'}`);
  }
  return parts.join('; ');
}

function metricRow(m: Metric, e: RecordEntry): string {
  const s = m.summary;
  const label = m.label.startsWith('  ') ? `↳ ${m.label.trim()}` : m.label;
  const median =
    s.median === null
      ? m.note?.startsWith('not measured')
        ? m.note
        : 'no figure'
      : `**${num(s.median, m.unit)}** (${bare(s.min)} – ${bare(s.max)})`;
  const load = m.load1 ?? e.loadBefore.load[0];
  return row([cell(label), goalText(m), cell(median), String(s.n), ratioText(m), String(load)]);
}

/** The Markdown table: every known measure, in the bench's order, measured or not. */
export function recordMarkdown(record: BenchRecord, names: readonly MeasureName[]): string {
  const out = ['| figure | goal | median (min – max) | runs | × goal | load 1m |', '|---|---|---:|---:|---|---:|'];
  const known = new Set(names.map((n) => n.name));
  const all = [...names, ...Object.values(record.measures).filter((e) => !known.has(e.name))];
  for (const { name, title } of all) {
    const e = record.measures[name];
    if (!e) {
      const since = record.since.commit === null ? record.since.date.slice(0, 10) : commitText(record.since.commit);
      out.push(`| **\`${name}\`**: ${cell(title)} | | not measured since ${since} | | | |`);
      continue;
    }
    out.push(`| **\`${name}\`**: ${cell(title)}; ${cell(provenance(e))} | | | | | |`);
    if (e.error && !e.metrics.length) out.push(`| ↳ failed | | ${cell(e.error.split('\n')[0]!.slice(0, 120))} | | | |`);
    for (const m of e.metrics) out.push(metricRow(m, e));
  }
  return out.join('\n');
}

/** The page with the text between the markers replaced; throws when a marker is missing. */
export function withTable(page: string, table: string): string {
  const a = page.indexOf(DOC_START);
  const b = page.indexOf(DOC_END);
  if (a < 0 || b < a) throw new Error(`the page needs the markers ${DOC_START} and ${DOC_END}`);
  return `${page.slice(0, a)}${DOC_START}\n${table}\n${page.slice(b)}`;
}
