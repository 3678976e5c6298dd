import { describe, expect, it } from 'vitest';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { renderJunit } from './junit.ts';
import { xmlWellFormedError } from './xml-wellformed.ts';
import { xmlAttr, xmlText } from './xml.ts';

function testcases(xml: string): { name: string; failed: boolean }[] {
  return [...xml.matchAll(/<testcase name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => ({
    name: m[1] ?? '',
    failed: (m[3] ?? '').includes('<failure'),
  }));
}

describe('renderJunit', () => {
  it('passes a converged run: one case for the run and one per anomaly class', () => {
    const xml = renderJunit(fixtureRun('converged').report);
    expect(xmlWellFormedError(xml)).toBeNull();
    expect(xml).toContain('<testsuite name="outbox-chaos" tests="8" failures="0"');
    expect(testcases(xml)).toEqual([
      { name: 'baseline-with-faults', failed: false },
      { name: 'baseline-with-faults: missing', failed: false },
      { name: 'baseline-with-faults: zombie', failed: false },
      { name: 'baseline-with-faults: stale', failed: false },
      { name: 'baseline-with-faults: corrupt', failed: false },
      { name: 'baseline-with-faults: duplicate', failed: false },
      { name: 'baseline-with-faults: wrong-id', failed: false },
      { name: 'baseline-with-faults: unexpected-field', failed: false },
    ]);
    expect(xml).toContain('<property name="seed" value="42"/>');
  });

  it('fails a diverged run with the markdown summary, and every class that occurred unexpectedly', () => {
    const xml = renderJunit(fixtureRun('diverged').report);
    expect(xmlWellFormedError(xml)).toBeNull();
    expect(xml).toContain('failures="6"');
    // Every case fails but the class this run does not have.
    expect(
      testcases(xml)
        .filter((c) => !c.failed)
        .map((c) => c.name),
    ).toEqual(['es-outage: wrong-id', 'es-outage: unexpected-field']);
    expect(xml).toContain('<failure message="✘ es-outage diverged: 14 missing, 3 zombie');
    // The body is the markdown report, escaped.
    expect(xml).toContain('## Anomalies');
    expect(xml).toContain(
      'name: "Hammock &lt;/script&gt;&lt;script&gt;alert(\\"x\\")&lt;/script&gt; &amp; ]]&gt; \\u0007bell"',
    );
    expect(xml).not.toContain(']]>');
  });

  it('passes expected classes of a zoo entry and fails unexpected ones', () => {
    const { report } = fixtureRun('diverged');
    const zoo = {
      ...report,
      expectedVerdict: 'diverged' as const,
      passed: true,
      expectedAnomalies: ['missing' as const, 'zombie' as const],
    };
    const cases = testcases(renderJunit(zoo));
    expect(cases.filter((c) => c.failed).map((c) => c.name)).toEqual([
      'es-outage: stale',
      'es-outage: corrupt',
      'es-outage: duplicate',
    ]);
    // Without a list, a passing zoo run accepts what it found.
    const { expectedAnomalies: _ignored, ...noList } = zoo;
    expect(testcases(renderJunit(noList)).some((c) => c.failed)).toBe(false);
  });

  it('escapes hostile scenario names, notes and control characters into well-formed XML', () => {
    const { report } = fixtureRun('diverged');
    const hostile = {
      ...report,
      scenario: 'a"b\'c<d>&e\u0000f\u001Bg\uFFFEh\uD800i',
      notes: ['bell \u0007 then ]]> and <![CDATA[ x ]]>', 'tab\tnewline\nend'],
      replay: 'npx outbox-chaos run "x & y" --seed 1',
    };
    const xml = renderJunit(hostile);
    expect(xmlWellFormedError(xml)).toBeNull();
    expect(xml).toContain('name="a&quot;b&apos;c&lt;d&gt;&amp;e\\u0000f\\u001Bg\\uFFFEh\\uD800i"');
  });
});

describe('xml escaping', () => {
  it('replaces characters XML 1.0 forbids with visible escapes and keeps legal ones', () => {
    expect(xmlText('a\u0001b\u0008c\u000Bd\u000Ce\u001Ff')).toBe('a\\u0001b\\u0008c\\u000Bd\\u000Ce\\u001Ff');
    expect(xmlText('tab\tnl\ncr\r')).toBe('tab\tnl\ncr\r');
    expect(xmlText('😀')).toBe('😀');
    expect(xmlText('\uDC00x\uD83D')).toBe('\\uDC00x\\uD83D');
    expect(xmlAttr('a\tb\nc"d\'e')).toBe('a&#9;b&#10;c&quot;d&apos;e');
  });

  it('the test checker itself rejects malformed XML', () => {
    expect(xmlWellFormedError('<a><b></a></b>')).toMatch(/unbalanced/);
    expect(xmlWellFormedError('<a>x & y</a>')).toMatch(/bare/);
    expect(xmlWellFormedError('<a b="1" b="2"/>')).toMatch(/duplicate/);
    expect(xmlWellFormedError('<a>\u0007</a>')).toMatch(/forbidden/);
    expect(xmlWellFormedError('<a>&#7;</a>')).toMatch(/forbidden/);
    expect(xmlWellFormedError('<a/><b/>')).toMatch(/root/);
    expect(xmlWellFormedError('<?xml version="1.0"?>\n<a x="&amp;">&lt;ok&gt;</a>\n')).toBeNull();
  });
});
