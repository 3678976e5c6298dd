import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { earlierFixtureSuites, fixtureSuite, fixtureSuiteRuns } from '../../../test/fixtures/suite.ts';
import { ANOMALY_CLASSES } from '../../record/anomalies.ts';
import { xmlWellFormedError } from '../xml-wellformed.ts';
import { runsSince } from './collect.ts';
import { renderSuiteHtml } from './html.ts';
import { renderSuiteJunit } from './junit.ts';
import { renderSuiteMarkdown } from './markdown.ts';
import { rowKey } from './model.ts';
import { regression, trendsFor } from './trends.ts';
import { LATEST_SUITE, readSuiteRecords, SUITE_FILES, writeSuite } from './write.ts';

const suite = fixtureSuite();
const trends = trendsFor(suite, earlierFixtureSuites());

describe('the suite record', () => {
  it('has a row per scenario, with the result the command judged', () => {
    expect(suite.rows.map((r) => [r.name, r.result, r.verdict])).toEqual([
      ['baseline', 'passed', 'converged'],
      ['es-outage', 'passed', 'converged'],
      ['connect-crash', 'failed', 'converged-late'],
      ['kafka-partition', 'failed', 'diverged'],
      ['sink-ignores-tombstones', 'passed', 'diverged'],
      ['<b>odd & "name"</b>', 'passed', 'converged'],
      ['walsender-killed', 'skipped', null],
    ]);
    expect(suite.totals).toEqual({ passed: 4, failed: 2, notReproduced: 0, skipped: 1 });
    expect(suite.rows[0]?.link).toBe('../20250314-092653Z-baseline-s42/index.html');
    expect(suite.rows[4]?.pipeline).toBe('scenarios/zoo/sink-ignores-tombstones');
  });
});

describe('renderSuiteHtml', () => {
  const page = renderSuiteHtml(suite, trends);

  it('is self-contained: inline style and script only, no external URL', () => {
    expect(page).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(page).not.toMatch(/<link[^>]+rel=["']?stylesheet/i);
    expect(page).not.toMatch(/<script[^>]+src=/i);
    expect(page).toContain('default-src &#39;none&#39;');
    expect(page.match(/<script\b/gi)).toHaveLength(1);
  });

  it("shows every scenario with its verdict, and links each run's own page", () => {
    for (const r of suite.rows) {
      const escaped = r.name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
      expect(page).toContain(`data-row="${escaped}"`);
    }
    expect(page.match(/data-verdict="/g)).toHaveLength(6);
    expect(page).toContain('<a href="../20250314-092653Z-baseline-s42/index.html">report</a>');
    expect(page).not.toContain('<b>odd');
  });

  it('has a sortable column per anomaly class, from the vocabulary', () => {
    const heads = [...page.matchAll(/<th class="num class" data-type="num" title="[^"]*">([^<]+)<\/th>/g)].map(
      (m) => m[1],
    );
    expect(heads).toEqual([...ANOMALY_CLASSES]);
    expect(page).toContain('<td class="num count expected" data-v="171">171</td>'); // zombie, expected by the entry
    expect(page).toContain('<td class="num count bad" data-v="14">14</td>'); // missing, not expected
  });

  it('draws a trend per scenario and flags a regression in recovery time', () => {
    expect(page.match(/data-spark="convergence"/g)).toHaveLength(6);
    expect(page).toContain('▲ 2.7× the median of 5 earlier suites'); // es-outage: 2.7 s against ~1 s
    expect(page).toContain('5 earlier');
  });

  it('says when there is no earlier suite yet', () => {
    expect(renderSuiteHtml(suite, trendsFor(suite, []))).toContain('No earlier run suite under reports/ yet');
  });
});

describe('renderSuiteMarkdown and renderSuiteJunit', () => {
  it('summary.md: a table row per scenario, the failures, and the trends', () => {
    const md = renderSuiteMarkdown(suite, trends);
    expect(md.split('\n')[0]).toBe('# ✘ run --all: 4 passed, 2 failed, 1 skipped');
    expect(md).toMatch(/\| ✘ failed {2}\| connect-crash .*\| converged late .*\|\s+24 s \/ 20 s \|/);
    expect(md).toContain('⊘ skipped | walsender-killed');
    expect(md).toContain('## Skipped\n\n- ⊘ walsender-killed: postgres.walsender-kill#1 needs control');
    expect(md).not.toMatch(/baseline .*▲/); // steady figures are no regression
    expect(md).toContain('## Failed');
    expect(md).toMatch(/\| es-outage .*\| 900 ms, 950 ms, 1 s, 1.1 s, 1.1 s → 2.7 s ▲ 2.7×/);
  });

  it('junit.xml: well-formed, one testcase per scenario, failures and skips', () => {
    const xml = renderSuiteJunit(suite);
    expect(xmlWellFormedError(xml)).toBeNull();
    expect(xml.match(/<testcase /g)).toHaveLength(7);
    expect(xml).toContain('tests="7" failures="2" errors="0" skipped="1"');
    expect(xml).toContain(
      '<testcase name="&lt;b&gt;odd &amp; &quot;name&quot;&lt;/b&gt;" classname="outbox-chaos.run"',
    );
    expect(xml).toMatch(/<skipped message="postgres.walsender-kill#1 needs control/);
    expect(xml).toMatch(/<failure message="✘ kafka-partition diverged: 14 missing.* — sink task es-sink\/0 FAILED/);
  });
});

describe('trends', () => {
  it('calls a figure a regression only against enough history, and never on small jitter', () => {
    expect(regression([1000, 1100, 900], 2500, 1000)).toBe('2.5× the median of 3 earlier suites');
    expect(regression([1000, 1100], 5000, 1000)).toBeNull();
    expect(regression([100, 110, 90], 400, 1000)).toBeNull();
    expect(regression([1000, 1100, 900], null, 1000)).toBe('never, after 3 earlier suites that did');
  });

  it('follows one scenario on one pipeline, oldest first, current last', () => {
    const t = trends.get(rowKey({ name: 'connect-crash', pipeline: 'connectors/', provider: 'local-binaries' }));
    expect(t?.points.map((p) => p.timeToConvergenceMs)).toEqual([24_000, 24_000, null, 24_000, 24_000, 24_000]);
    expect(trends.has(rowKey({ name: 'walsender-killed', pipeline: '', provider: '' }))).toBe(false);
  });
});

describe('writeSuite', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'outbox-chaos-suite-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes the four files, points latest-suite at them, and later suites trend against earlier ones', () => {
    const { runs, skipped } = fixtureSuiteRuns();
    const first = writeSuite(runs, {
      title: 'run --all',
      kind: 'run',
      skipped,
      root,
      now: new Date('2025-03-14T10:00:00Z'),
    });
    for (const f of Object.values(SUITE_FILES)) expect(existsSync(join(first, f)), f).toBe(true);
    expect(readlinkSync(join(root, LATEST_SUITE))).toBe('suite-20250314-100000Z-run');
    const second = writeSuite(runs, { title: 'run --all', kind: 'run', root, now: new Date('2025-03-14T10:00:00Z') });
    expect(second).toBe(join(root, 'suite-20250314-100000Z-run-2'));
    writeSuite(runs.slice(0, 1), { title: 'zoo', kind: 'zoo', root, now: new Date('2025-03-14T11:00:00Z') });
    const third = writeSuite(runs, { title: 'run --all', kind: 'run', root, now: new Date('2025-03-14T12:00:00Z') });
    expect(readSuiteRecords(root).map((s) => s.kind)).toEqual(['run', 'run', 'zoo', 'run']);
    expect(readFileSync(join(third, 'index.html'), 'utf8')).toContain('up to 2 earlier run suites');
  });

  it('collects the runs started since a moment from their run directories', async () => {
    const { runs } = fixtureSuiteRuns();
    for (const r of runs.slice(0, 3)) {
      const dir = join(root, r.report.runId);
      await mkdir(dir);
      await writeFile(join(dir, 'report.json'), JSON.stringify(r.report));
    }
    await mkdir(join(root, 'died-before-its-report'));
    const since = Date.parse(runs[1]?.report.startedAt ?? '');
    expect(runsSince(root, since).map((r) => r.report.scenario)).toEqual(['es-outage', 'connect-crash']);
  });
});
