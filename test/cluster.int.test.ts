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
import { CLUSTER_PG17_STACK, CLUSTER_STACK } from './tools/lanes.ts';

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

/**
 * The production answer to the loss postgres-failover shows above: Postgres 17's failover slots, on a second
 * cluster of this file's own (Postgres 17 from npm; the first is down by then). The connector's slot
 * (slot.failover=true in the healthy definition) is copied to the standby, so the promoted standby holds it and
 * the same scenario converges, with no regression in search.
 */
const failover = scenarios.find((s) => s.name === 'postgres-failover');
describe.skipIf(off || !failover)('Postgres 17: the failover slot survives the failover', () => {
  let stack17: Stack | undefined;
  let provider17: Provider;

  beforeAll(async () => {
    stack17 = await bringUp({ ...CLUSTER_PG17_STACK, topology: 'cluster', postgresMajor: '17' });
    provider17 = localProvider(stack17);
  }, 300_000);

  afterAll(async () => {
    if (stack17) await stopVerified(stack17);
  }, 120_000);

  it('postgres-failover converges: the promoted standby holds the slot where the connector left it', async () => {
    const scenario = failover as NonNullable<typeof failover>;
    const { report } = await runScenario({
      scenario,
      provider: provider17,
      replay: `npx outbox-chaos run ${scenario.name} --seed ${scenario.seed} --versions postgres=17`,
    });
    const md = renderMarkdown(report);
    expect(report.versions['postgres'], md).toMatch(/^17\./);
    // The expectation of 17 (expect.fromPostgres), not the loss of 15.
    expect(report.expectedVerdict, md).toBe('converged');
    expect(report.passed, md).toBe(true);
    expect(report.regressions?.count ?? 0, md).toBe(0);
    expect(report.anomalies.counts.duplicate, md).toBe(0);
    const notes = report.notes.join('\n');
    expect(notes, md).toMatch(/held a synchronized copy of failover slot \S+ \(confirmed_flush_lsn [0-9A-F/]+\)/);
    expect(notes, md).toMatch(/promoted .*on postgres-\d: the slot exists/);
    // The failover happened while the workload wrote: WAL past the slot's confirmed position was in flight.
    const at = /at confirmed_flush_lsn ([0-9A-F]+)\/([0-9A-F]+) \(WAL end ([0-9A-F]+)\/([0-9A-F]+)\)/.exec(notes);
    expect(at, md).not.toBeNull();
    const lsn = (hi = '0', lo = '0') => BigInt(`0x${hi}`) * 2n ** 32n + BigInt(`0x${lo}`);
    expect(lsn(at?.[3], at?.[4]) > lsn(at?.[1], at?.[2]), md).toBe(true);
  }, 600_000);
});
