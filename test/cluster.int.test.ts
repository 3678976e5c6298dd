import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSections } from '../harness/cli/doctor-cluster.ts';
import { bringUp } from '../harness/provider/open.ts';
import { localProvider } from '../harness/provider/local.ts';
import type { Provider } from '../harness/provider/interface.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { listScenarios, loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { loadZooEntries } from '../harness/scenario/zoo/entries.ts';
import { runZooEntry } from '../harness/scenario/zoo/run.ts';
import { describeOutcome } from '../harness/scenario/zoo/summary.ts';
import type { Stack } from '../harness/stack/stack.ts';
import { stopVerified } from './fixtures/stack-stop.ts';
import { CLUSTER_STACK } from './tools/lanes.ts';

/**
 * The cluster's scenarios and zoo entries, on one cluster stack of this file's own (3 brokers, 2 workers, a
 * Postgres primary and standby; OUTBOX_CHAOS_TEST_CLUSTER_NAME and _PORT_BASE move it), after the single
 * stack's suite: vitest.config.ts runs this file's project last, alone. OUTBOX_CHAOS_SCENARIOS / OUTBOX_CHAOS_ZOO
 * narrow the lists as for the single stack; OUTBOX_CHAOS_TEST_CLUSTER=0 skips the file.
 */
const off = process.env.OUTBOX_CHAOS_TEST_CLUSTER === '0';
const onlyScenarios = process.env.OUTBOX_CHAOS_SCENARIOS?.split(',').filter(Boolean);
const onlyZoo = process.env.OUTBOX_CHAOS_ZOO?.split(',').filter(Boolean);
// The partition scenarios (network.partition) need containers: test/containers.int.test.ts runs them.
const scenarios = listScenarios()
  .map((s) => loadScenario(s.file))
  .filter(
    (s) =>
      s.topology === 'cluster' && !s.needs.includes('isolation') && (!onlyScenarios || onlyScenarios.includes(s.name)),
  );
const zoo = loadZooEntries().filter((e) => e.scenario.topology === 'cluster' && (!onlyZoo || onlyZoo.includes(e.name)));

let stack: Stack | undefined;
let provider: Provider;

describe.skipIf(off || scenarios.length + zoo.length === 0)(
  'the cluster topology: failures only a production-shaped cluster has',
  () => {
    beforeAll(async () => {
      stack = await bringUp({ ...CLUSTER_STACK, topology: 'cluster' });
      provider = localProvider(stack);
    }, 300_000);

    afterAll(async () => {
      if (!stack) return;
      // `down` leaves nothing behind for a cluster either: no process, no port of its block.
      await stopVerified(stack);
    }, 120_000);

    it('doctor shows partition leaders and ISR, each worker and its tasks, and the standby streaming', async () => {
      const sections = await clusterSections(provider.endpoints);
      const text = sections
        .map((s) => [s.title, ...s.lines, ...s.problems.map((p) => `! ${p}`)].join('\n'))
        .join('\n\n');
      expect(
        sections.flatMap((s) => s.problems),
        text,
      ).toEqual([]);
      expect(text).toMatch(/leader kafka-\d {2}replicas \d,\d,\d {2}ISR \d,\d,\d/);
      expect(text).toMatch(/connect-1 .*task 0 RUNNING|connect-2 .*task 0 RUNNING/);
      expect(text).toMatch(/→ postgres-2: streaming, replay lag \d+ bytes/);
    });

    for (const scenario of scenarios) {
      it(scenario.name, async () => {
        const { report } = await runScenario({
          scenario,
          provider,
          replay: `npx outbox-chaos run ${scenario.name} --seed ${scenario.seed}`,
        });
        expect(report.passed, renderMarkdown(report)).toBe(true);
      });
    }

    for (const entry of zoo) {
      it(`zoo: ${entry.name}`, async () => {
        const outcome = await runZooEntry(entry, provider);
        const message = `${describeOutcome(outcome)}\n\n${renderMarkdown(outcome.report)}`;
        expect(outcome.report.passed, message).toBe(true);
        expect(outcome.reasons, message).toEqual([]);
      });
    }
  },
);
