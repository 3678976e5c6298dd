import { describe, expect, it } from 'vitest';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { buildCharts, alignSeries } from './charts.ts';
import { jsonForScript } from './html-escape.ts';
import { renderHtml } from './html.ts';

/** The JSON payload as the page's script will read it. */
function embedded(page: string): unknown {
  const m = /<script type="application\/json" id="chart-data">([\s\S]*?)<\/script>/.exec(page);
  if (!m) throw new Error('no chart-data script');
  return JSON.parse(m[1] ?? '');
}

describe('renderHtml', () => {
  const { report, samples } = fixtureRun('diverged');
  const page = renderHtml(report, samples);

  it('is self-contained: no external src, href, url() or import', () => {
    expect(page).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(page).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
    expect(page).not.toMatch(/<link[^>]+rel=["']?stylesheet/i);
    expect(page).not.toMatch(/<script[^>]+src=/i);
    expect(page).toContain('default-src &#39;none&#39;');
    // uPlot and its stylesheet are inlined.
    expect(page).toContain('uPlot');
    expect(page).toContain('.uplot');
  });

  it('has one container per chart for the browser test to check', () => {
    const charts = [...page.matchAll(/<div class="chart" data-chart="([^"]+)"/g)].map((m) => m[1]);
    expect(charts).toEqual(['e2e-lag', 'op-rate', 'slot-lag', 'consumer-lag']);
  });

  it('escapes hostile strings in markup and in the embedded JSON', () => {
    // Exactly the three script elements the page itself has: the payload, uPlot, and the client.
    expect(page.match(/<script\b/gi)).toHaveLength(3);
    expect(page).toContain(
      '&quot;Hammock &lt;/script&gt;&lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt; ' +
        '&amp; ]]&gt; \\u0007bell&quot;',
    );
    const payload = embedded(
      renderHtml(
        {
          ...report,
          timeline: [{ id: 'x', fault: '</script><script>alert(1)</script>', target: 'es', start: 0, end: 1 }],
        },
        samples,
      ),
    ) as { windows: { fault: string }[] };
    expect(payload.windows[0]?.fault).toBe('</script><script>alert(1)</script>');
    expect(jsonForScript({ a: '</script><!--\u2028' })).toBe('{"a":"\\u003c/script>\\u003c!--\\u2028"}');
  });

  it('shows the verdict, key figures and tables', () => {
    expect(page).toContain('data-verdict="diverged"');
    expect(page).toContain('<h1>es-outage</h1>');
    expect(page).toContain('End-to-end lag p99');
    expect(page).toContain('npx outbox-chaos run scenarios/es-outage.ts --seed 42');
    expect(page).toContain('missing: showing 10 of 14');
    expect(page).toContain('<td class="num">+43.0 s</td><td><b>restart task es-sink/0</b></td>');
    expect(page).toContain('full trace (6 lines)');
    // The corrupted field is highlighted against the Postgres row.
    expect(page).toMatch(
      /<div class="diff"[^>]*><span class="k">description:<\/span> &quot;__debezium_unavailable_value&quot;/,
    );
  });

  it('renders with no samples at all', () => {
    const empty = renderHtml(fixtureRun('converged').report, []);
    const payload = embedded(empty) as { charts: { samples: number; data: unknown[][] }[] };
    expect(payload.charts.map((c) => c.samples)).toEqual([0, 0, 0, 0]);
    expect(payload.charts.every((c) => c.data.every((col) => col.length === 0))).toBe(true);
    expect(empty).toContain('no samples');
  });
});

describe('chart data', () => {
  it('aligns series on the union of their x values, in seconds since start', () => {
    const data = alignSeries(
      [
        [
          { t: 1000, v: 1 },
          { t: 3000, v: 3 },
        ],
        [{ t: 2000, v: 20 }],
      ],
      1000,
    );
    expect(data).toEqual([
      [0, 1, 2],
      [1, null, 3],
      [null, 20, null],
    ]);
  });

  it('builds four charts with fault windows relative to the run start', () => {
    const { report, samples } = fixtureRun('converged');
    const payload = buildCharts(report, samples);
    expect(payload.xMax).toBeCloseTo(60, 0);
    expect(payload.windows.map((w) => [w.fault, w.start, w.end])).toEqual([
      ['latency', 10, 20],
      ['es-outage', 30, 42],
    ]);
    const e2e = payload.charts.find((c) => c.name === 'e2e-lag');
    expect(e2e?.series.map((s) => s.label)).toEqual(['probe lag', 'marker lag', 'op lag (sampled)']);
    expect(e2e?.thresholds).toEqual([{ label: 'p99 budget', value: 15_000 }]);
    // The lag spike sits inside the ES outage.
    const [xs, probe] = e2e?.data ?? [];
    const peakAt = xs?.[(probe ?? []).indexOf(Math.max(...(probe ?? []).map((v) => v ?? 0)))];
    expect(peakAt).toBeGreaterThanOrEqual(30);
    expect(peakAt).toBeLessThanOrEqual(43);
  });
});
