import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { listScenarios, loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { sharedProvider } from './stack.ts';

// Every catalogued scenario against the healthy pipeline, at the short durations its file sets.
// OUTBOX_CHAOS_SCENARIOS=a,b narrows the list (handy while working on one).
const only = process.env.OUTBOX_CHAOS_SCENARIOS?.split(',').filter(Boolean);
// The cluster's scenarios (topology: cluster) run on a cluster stack of their own: test/cluster.int.test.ts; the
// partition scenarios (network.partition: a container leaves its network) on containers: test/containers.int.test.ts.
// Those with a steady-state lag budget run last: while this file starts, the other lane is starting its stack
// (~30 CPU-seconds on two cores), and a lag p99 measured then measures that start (baseline once saw 10.2 s).
const catalogue = listScenarios()
  .map((entry) => ({ entry, scenario: loadScenario(entry.file) }))
  .filter(({ entry, scenario }) => {
    const here = scenario.topology !== 'cluster' && !scenario.needs.includes('isolation');
    return here && (!only || only.includes(entry.name));
  })
  .sort((a, b) => Number(a.scenario.budget.lagP99Ms !== null) - Number(b.scenario.budget.lagP99Ms !== null));

describe('scenario catalogue on the healthy pipeline', () => {
  for (const { entry, scenario } of catalogue) {
    it(entry.name, async () => {
      const { report } = await runScenario({
        scenario,
        provider: await sharedProvider(),
        replay: `npx outbox-chaos run ${scenario.name} --seed ${scenario.seed}`,
      });
      // The report's own summary is the failure message: it says what diverged and shows examples.
      expect(report.passed, renderMarkdown(report)).toBe(true);
    });
  }
});
