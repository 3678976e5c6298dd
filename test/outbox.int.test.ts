import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { COMPARE_FILES, runComparison } from '../harness/scenario/compare.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { sharedProvider } from './stack.ts';

// The outbox pipeline (connectors/outbox) against the scenarios where it differs from the cdc pipeline in
// more than its relay's configuration: TOAST-sized descriptions (the payload carries the whole row, so no
// replica identity is needed) and delete/re-insert churn (deletes arrive as the router's tombstones). The
// relay itself — Debezium, Kafka, the sink — is the cdc pipeline's, which the whole catalogue covers; es-outage
// on the outbox runs in the comparison below. `outbox-chaos run --all --connectors connectors/outbox` runs
// the whole catalogue on it (docs/why-outbox.md). OUTBOX_CHAOS_SCENARIOS=a,b narrows the list.
const only = process.env.OUTBOX_CHAOS_SCENARIOS?.split(',').filter(Boolean);
const OUTBOX_SCENARIOS = ['toast-partial-updates', 'delete-reinsert-churn'].filter((s) => !only || only.includes(s));

describe('the outbox pipeline (connectors/outbox)', () => {
  for (const name of OUTBOX_SCENARIOS) {
    it(`${name} converges on connectors/outbox`, async () => {
      const scenario = loadScenario(name);
      const { report } = await runScenario({
        scenario,
        provider: await sharedProvider(),
        connectorsDir: 'connectors/outbox',
        replay: `npx outbox-chaos run ${name} --seed ${scenario.seed} --connectors connectors/outbox`,
      });
      expect(report.passed, renderMarkdown(report)).toBe(true);
    });
  }

  it.skipIf(only !== undefined && !only.includes('es-outage'))(
    'compare es-outage: the dual writes diverge with named anomalies, the outbox converges',
    async () => {
      const scenario = loadScenario('es-outage');
      const pipelines = ['connectors/dual-write', 'connectors/outbox'];
      const provider = await sharedProvider();
      const { comparison } = await runComparison({
        scenarios: [scenario],
        columns: pipelines.map((dir) => ({ label: dir, dir })),
        open: async () => ({ provider, release: async () => {} }),
        replay: `npx outbox-chaos compare es-outage --pipelines ${pipelines.join(',')}`,
        runReplay: (s, seed, c) => `npx outbox-chaos run ${s.name} --seed ${seed} --connectors ${c.dir}`,
      });
      const [dual, outbox] = comparison.scenarios[0]?.runs ?? [];
      expect(dual?.kind).toBe('dual-write');
      expect(outbox?.kind).toBe('outbox');
      // The same workload and faults for both: the comparison is of the pipelines alone.
      expect(dual?.report.workloadHash).toBe(outbox?.report.workloadHash);
      expect(dual?.report.timeline.map((w) => w.fault)).toEqual(outbox?.report.timeline.map((w) => w.fault));
      // The seed's opening paragraph: the Elasticsearch writes lost in the outage are lost for good.
      expect(dual?.report.verdict, dual && renderMarkdown(dual.report)).toBe('diverged');
      const lost = dual
        ? (['missing', 'stale', 'zombie'] as const).filter((c) => dual.report.anomalies.counts[c] > 0)
        : [];
      expect(lost.length, 'dual-write under es-outage shows missing, stale or zombie products').toBeGreaterThan(0);
      expect(dual?.report.notes.join('\n')).toMatch(/Elasticsearch writes: \d+ done, \d+ failed and given up/);
      expect(outbox?.report.passed, outbox && renderMarkdown(outbox.report)).toBe(true);
      // The side-by-side report, as Markdown and as a page.
      const md = readFileSync(join(comparison.dir, COMPARE_FILES.markdown), 'utf8');
      expect(md).toContain('connectors/dual-write (dual-write)');
      expect(md).toMatch(/\| es-outage +\| diverged: /);
      expect(md).toContain('converged in');
      expect(existsSync(join(comparison.dir, COMPARE_FILES.html))).toBe(true);
      expect(readFileSync(join(comparison.dir, COMPARE_FILES.html), 'utf8')).toContain('<td class="num bad">');
    },
  );
});
