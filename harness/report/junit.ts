import { ANOMALY_CLASSES } from '../record/anomalies.ts';
import type { RunReport } from '../record/report.ts';
import { ANOMALY_MEANING, anomalyClassOk, headline } from './labels.ts';
import { renderMarkdown } from './markdown.ts';
import { xmlAttr, xmlText } from './xml.ts';

interface Case {
  name: string;
  classname: string;
  timeSec: number;
  failure?: { message: string; type: string; body: string };
  out?: string;
}

function testcase(c: Case): string {
  const open =
    `  <testcase name="${xmlAttr(c.name)}" classname="${xmlAttr(c.classname)}" ` + `time="${c.timeSec.toFixed(3)}"`;
  const inner: string[] = [];
  if (c.failure) {
    inner.push(
      `    <failure message="${xmlAttr(c.failure.message)}" type="${xmlAttr(c.failure.type)}">` +
        `${xmlText(c.failure.body)}</failure>`,
    );
  }
  if (c.out !== undefined) inner.push(`    <system-out>${xmlText(c.out)}</system-out>`);
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join('\n')}\n  </testcase>`;
}

/**
 * junit.xml for CI: one `<testsuite name="outbox-chaos">` with a testcase for the run (named after the scenario,
 * failing with the markdown summary when `passed` is false) and one per anomaly class (passing when none occurred
 * or the scenario expected it).
 */
export function renderJunit(report: RunReport): string {
  const summary = renderMarkdown(report);
  const run: Case = {
    name: report.scenario,
    classname: 'outbox-chaos.run',
    timeSec: report.durationMs / 1000,
    out: `${headline(report)}\nreplay: ${report.replay}\n`,
  };
  if (!report.passed)
    run.failure = {
      message: headline(report),
      type: report.vacuous?.length ? 'vacuous' : report.verdict,
      body: summary,
    };

  const classes: Case[] = ANOMALY_CLASSES.map((c) => {
    const n = report.anomalies.counts[c] ?? 0;
    const tc: Case = { name: `${report.scenario}: ${c}`, classname: 'outbox-chaos.anomalies', timeSec: 0 };
    if (!anomalyClassOk(report, c)) {
      const examples = (report.anomalies.examples[c] ?? []).map(
        (a) => `${a.key === undefined ? `product_id ${a.product_id}` : `${a.table ?? 'key'} ${a.key}`}: ${a.detail}`,
      );
      tc.failure = {
        message: `${n} ${c} (${ANOMALY_MEANING[c]})`,
        type: c,
        body: [`${n} ${c}: ${ANOMALY_MEANING[c]}`, ...examples.slice(0, 10)].join('\n'),
      };
    } else if (n > 0) {
      tc.out = `${n} ${c}, expected by the scenario`;
    }
    return tc;
  });

  const cases = [run, ...classes];
  const failures = cases.filter((c) => c.failure).length;
  const props = [
    ['runId', report.runId],
    ['seed', String(report.seed)],
    ['verdict', report.verdict],
    ['expectedVerdict', report.expectedVerdict],
    ['replay', report.replay],
    ...Object.entries(report.versions).map(([k, v]) => [`version.${k}`, v]),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="outbox-chaos" tests="${cases.length}" failures="${failures}" errors="0" ` +
      `time="${(report.durationMs / 1000).toFixed(3)}">`,
    `<testsuite name="outbox-chaos" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" ` +
      `time="${(report.durationMs / 1000).toFixed(3)}" timestamp="${xmlAttr(report.startedAt)}">`,
    '  <properties>',
    ...props.map(([k, v]) => `    <property name="${xmlAttr(k ?? '')}" value="${xmlAttr(v ?? '')}"/>`),
    '  </properties>',
    ...cases.map(testcase),
    '</testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
