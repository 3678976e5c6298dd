import { xmlAttr, xmlText } from '../xml.ts';
import { totalsLine, type SuiteRecord, type SuiteRow } from './model.ts';

const seconds = (ms: number | null): string => ((ms ?? 0) / 1000).toFixed(3);

function testcase(s: SuiteRecord, r: SuiteRow): string {
  const open =
    `  <testcase name="${xmlAttr(r.name)}" classname="${xmlAttr(`outbox-chaos.${s.kind}`)}" ` +
    `time="${seconds(r.durationMs)}"`;
  const out = [r.headline, r.link ? `report: ${r.link}` : '', r.replay ? `replay: ${r.replay}` : '']
    .filter(Boolean)
    .join('\n');
  const inner: string[] = [];
  if (r.result === 'skipped') inner.push(`    <skipped message="${xmlAttr(r.reasons.join('; '))}"/>`);
  if (r.result === 'failed') {
    const body = [...r.reasons, out].join('\n');
    const message = r.reasons[0] ? `${r.headline} — ${r.reasons[0]}` : r.headline;
    inner.push(
      `    <failure message="${xmlAttr(message)}" type="${xmlAttr(r.verdict ?? 'failed')}">${xmlText(body)}</failure>`,
    );
  }
  if (r.result !== 'skipped')
    inner.push(
      `    <system-out>${xmlText(r.result === 'not-reproduced' ? `not reproduced (not required): ${out}` : out)}` +
        '</system-out>',
    );
  return `${open}>\n${inner.join('\n')}\n  </testcase>`;
}

/**
 * The suite's junit.xml: one testcase per scenario (skipped ones as <skipped>, with the reason), failing with
 * the run's headline and the suite's reasons; each run's own junit.xml keeps the per-class testcases.
 */
export function renderSuiteJunit(s: SuiteRecord): string {
  const failures = s.totals.failed;
  const time = seconds(s.rows.reduce((n, r) => n + (r.durationMs ?? 0), 0));
  const head = `tests="${s.rows.length}" failures="${failures}" errors="0"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="outbox-chaos" ${head} time="${time}">`,
    `<testsuite name="${xmlAttr(s.title)}" ${head} skipped="${s.totals.skipped}" time="${time}" ` +
      `timestamp="${xmlAttr(s.createdAt)}">`,
    '  <properties>',
    `    <property name="suite" value="${xmlAttr(s.id)}"/>`,
    `    <property name="kind" value="${xmlAttr(s.kind)}"/>`,
    `    <property name="totals" value="${xmlAttr(totalsLine(s.totals))}"/>`,
    '  </properties>',
    ...s.rows.map((r) => testcase(s, r)),
    '</testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
