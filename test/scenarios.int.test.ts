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
const catalogue = listScenarios().filter((s) => {
  const scenario = loadScenario(s.file);
  return (!only || only.includes(s.name)) && scenario.topology !== 'cluster' && !scenario.needs.includes('isolation');
});

describe('scenario catalogue on the healthy pipeline', () => {
  for (const entry of catalogue) {
    it(entry.name, async () => {
      const scenario = loadScenario(entry.file);
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
