import { ANOMALY_CLASSES } from '../../record/anomalies.ts';
import { fmtDuration } from '../format.ts';
import { VERDICT_TEXT } from '../labels.ts';
import { mdTable } from '../md-table.ts';
import { rowKey, totalsLine, type RowResult, type SuiteRecord, type SuiteRow } from './model.ts';
import type { Trend } from './trends.ts';

const MARK: Record<RowResult, string> = { passed: '✔', failed: '✘', 'not-reproduced': '⚠', skipped: '⊘' };

function anomalies(r: SuiteRow): string {
  if (r.result === 'skipped') return '';
  const seen = ANOMALY_CLASSES.filter((c) => (r.anomalies[c] ?? 0) > 0);
  return seen.length ? seen.map((c) => `${c} ${r.anomalies[c]}`).join(', ') : 'none';
}

function seen(r: SuiteRow): string {
  return r.verdict === null ? '—' : (VERDICT_TEXT[r.verdict] ?? r.verdict);
}

function convergence(r: SuiteRow): string {
  if (r.result === 'skipped') return '';
  return `${r.timeToConvergenceMs === null ? 'never' : fmtDuration(r.timeToConvergenceMs)} / ${fmtDuration(r.budgetMs)}`;
}

/** "1.2 s, 1.4 s → 1.3 s" — the last figures of earlier suites, then this one. */
function series(t: Trend | undefined, pick: 'timeToConvergenceMs' | 'lagP99Ms'): string {
  if (!t || t.points.length < 2) return '';
  const f = (v: number | null): string => (v === null ? 'never' : fmtDuration(v));
  const before = t.points
    .slice(0, -1)
    .slice(-5)
    .map((p) => f(p[pick]));
  return `${before.join(', ')} → ${f(t.points.at(-1)?.[pick] ?? null)}`;
}

/** summary.md: the suite at a glance for a CI log or a pull-request comment. */
export function renderSuiteMarkdown(s: SuiteRecord, trends: ReadonlyMap<string, Trend>): string {
  const ok = s.totals.failed === 0;
  const rows = s.rows.map((r) => [
    `${MARK[r.result]} ${r.result}${r.vacuous?.length ? ` (vacuous: ${r.vacuous.join(', ')})` : ''}`,
    r.name,
    r.pipeline,
    r.expectedVerdict === null
      ? ''
      : `${VERDICT_TEXT[r.expectedVerdict] ?? r.expectedVerdict}${r.expectedAnomalies?.length ? ` [${r.expectedAnomalies.join(', ')}]` : ''}`,
    seen(r),
    convergence(r),
    fmtDuration(r.lagP99Ms),
    anomalies(r),
    r.link ?? '',
  ]);
  const lines = [
    `# ${ok ? '✔' : '✘'} ${s.title}: ${totalsLine(s.totals)}`,
    '',
    `suite \`${s.id}\` (${s.kind}) · ${s.createdAt} · provider ${s.providers.join(', ') || '—'} · page: index.html, JUnit: junit.xml`,
    '',
    mdTable(
      ['result', 'scenario', 'pipeline', 'expected', 'seen', 'convergence / budget', 'lag p99', 'anomalies', 'report'],
      rows,
      [5, 6],
    ),
  ];
  const failed = s.rows.filter((r) => r.result === 'failed');
  if (failed.length) {
    lines.push('', '## Failed', '');
    for (const r of failed)
      lines.push(
        `- ${r.headline}${r.reasons.length ? ` — ${r.reasons.join('; ')}` : ''}${r.replay ? `\n  replay: \`${r.replay}\`` : ''}`,
      );
  }
  const skipped = s.rows.filter((r) => r.result === 'skipped');
  if (skipped.length) {
    lines.push('', '## Skipped', '');
    for (const r of skipped) lines.push(`- ⊘ ${r.name}: ${r.reasons.join('; ')}`);
  }
  const trended = s.rows.filter((r) => (trends.get(rowKey(r))?.points.length ?? 0) > 1);
  if (trended.length) {
    lines.push('', '## Trends (earlier suites → this one)', '');
    const flag = (x: string | null): string => (x ? ` ▲ ${x}` : '');
    lines.push(
      mdTable(
        ['scenario', 'time to convergence', 'lag p99'],
        trended.map((r) => {
          const t = trends.get(rowKey(r));
          return [
            r.name,
            series(t, 'timeToConvergenceMs') + flag(t?.slower ?? null),
            series(t, 'lagP99Ms') + flag(t?.laggier ?? null),
          ];
        }),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
