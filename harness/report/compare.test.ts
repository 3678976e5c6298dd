import { describe, expect, it } from 'vitest';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { renderComparisonHtml } from './compare-html.ts';
import { metricRows, outcomeText, renderComparisonMarkdown, type Comparison } from './compare.ts';

function comparison(): Comparison {
  const good = {
    ...fixtureRun('converged').report,
    passed: true,
    verdict: 'converged' as const,
    timeToConvergenceMs: 2300,
  };
  const bad = fixtureRun('diverged').report;
  const diverged = {
    ...bad,
    passed: false,
    verdict: 'diverged' as const,
    timeToConvergenceMs: null,
    throughput: null,
    anomalies: {
      ...bad.anomalies,
      counts: { missing: 12, zombie: 3, stale: 30, corrupt: 0, duplicate: 0, 'wrong-id': 0, 'unexpected-field': 0 },
    },
  };
  return {
    id: 'compare-x',
    dir: '/r/compare-x',
    createdAt: '2025-03-14T09:00:00.000Z',
    replay: 'npx outbox-chaos compare es-outage --pipelines connectors/dual-write,connectors/outbox',
    pipelines: [
      { pipeline: 'connectors/dual-write', kind: 'dual-write' },
      { pipeline: 'connectors/outbox', kind: 'outbox' },
    ],
    scenarios: [
      {
        scenario: 'es-outage',
        description: 'Elasticsearch is unreachable <for 8 s>.',
        seed: 101,
        faults: 'network.down es 10s–18s',
        runs: [
          { pipeline: 'connectors/dual-write', kind: 'dual-write', report: diverged, runDir: '/r/run-a' },
          { pipeline: 'connectors/outbox', kind: 'outbox', report: good, runDir: '/r/run-b' },
        ],
      },
    ],
  };
}

describe('comparison report', () => {
  it('names the outcome of each run', () => {
    const c = comparison();
    expect(c.scenarios[0]!.runs.map((r) => outcomeText(r.report))).toEqual([
      'diverged: missing 12, zombie 3, stale 30',
      'converged in 2.3 s',
    ]);
  });

  it('puts the pipelines side by side, a row per metric and per anomaly class seen', () => {
    const rows = metricRows(comparison().scenarios[0]!);
    const by = Object.fromEntries(rows.map((r) => [r.label.trim(), r.cells]));
    expect(by['verdict']).toEqual(['✘ diverged', '✔ converged']);
    expect(by['missing']).toEqual(['12', '0']);
    expect(by['stale']).toEqual(['30', '0']);
    expect(by['zombie']).toEqual(['3', '0']);
    expect(by['corrupt']).toBeUndefined();
    expect(by['time to convergence']).toEqual(['—', '2.3 s']);
    expect(by['pipeline throughput']?.[0]).toBe('— (no relay)');
    expect(Object.keys(by)).toEqual(expect.arrayContaining(['end-to-end lag p50 / p99', 'workload', 'anomalies']));
  });

  it('renders Markdown with the replay command and HTML with links to each run, escaped', () => {
    const c = comparison();
    const md = renderComparisonMarkdown(c);
    expect(md).toContain(c.replay);
    expect(md).toMatch(/\| es-outage +\| diverged: missing 12, zombie 3, stale 30 \| converged in 2.3 s +\|/);
    const html = renderComparisonHtml(c);
    expect(html).toContain('href="../run-a/index.html"');
    expect(html).toContain('&lt;for 8 s&gt;');
    expect(html).toContain('<td class="num bad">12</td>');
  });
});
