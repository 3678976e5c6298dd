import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreDefaultPipeline } from '../harness/pipeline/lifecycle.ts';
import type { Provider } from '../harness/provider/interface.ts';
import { localProvider } from '../harness/provider/local.ts';
import { bringUp } from '../harness/provider/open.ts';
import type { RunReport } from '../harness/record/report.ts';
import { MANIFEST } from '../harness/provision/manifest.ts';
import { PROJECT_ROOT } from '../harness/record/paths.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadScenario, SCENARIOS_DIR } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import type { Scenario } from '../harness/scenario/schema.ts';
import type { Stack } from '../harness/stack/stack.ts';
import { stopVerified } from './fixtures/stack-stop.ts';
import { sharedStack } from './stack.ts';
import { OPENSEARCH_STACK, ownsStack } from './tools/lanes.ts';

/**
 * The realistic mapping (scaled_float price, custom analyzers with asciifolding and edge_ngram, a
 * search_as_you_type sub-field) on a stack of this file's own that runs OpenSearch with the modules it needs
 * (`--search opensearch`), beside the shared stack's files (test/tools/lanes.ts); on a stack you started
 * (OUTBOX_CHAOS_TEST_REUSE) that runs OpenSearch, on that one. The index is created, the sink writes to it, and
 * the checker reads it through OpenSearch's point in time and the mapping to a verdict: in baseline and under
 * the catalogue's faults on the sink's hop, on Connect, and with deletes and re-inserts re-sent to the engine.
 */
const CONNECTORS = join(PROJECT_ROOT, 'examples/realistic-mapping');
const own = ownsStack('opensearch.int.test.ts');
let stack: Stack | undefined;
let provider: Provider;

/** A catalogued scenario on OpenSearch with the realistic mapping: its report, failing with the report's text. */
async function runOnOpenSearch(scenario: Scenario): Promise<{ report: RunReport; md: string }> {
  const { report } = await runScenario({
    scenario,
    provider,
    connectorsDir: CONNECTORS,
    replay:
      `npx outbox-chaos run ${scenario.name} --seed ${scenario.seed} --search opensearch ` +
      '--connectors examples/realistic-mapping',
  });
  return { report, md: renderMarkdown(report) };
}

/** Converged and passed, every document there, and each fault showed every sign its kind declares. */
function expectConvergedWithEvidence(report: RunReport, md: string, faults: number): void {
  expect(report.verdict, md).toBe('converged');
  expect(report.passed, md).toBe(true);
  expect(report.final.esDocs, md).toBe(report.final.pgRows);
  expect(report.final.pgRows, md).toBeGreaterThan(0);
  expect(report.vacuous ?? [], md).toEqual([]);
  expect(report.timeline, md).toHaveLength(faults);
  for (const w of report.timeline) {
    expect(w.evidence?.length ?? 0, `${w.id}: no sign looked for\n${md}`).toBeGreaterThan(0);
    for (const e of w.evidence ?? []) expect(e.seen, `${w.id} ${e.sign}: ${e.how}\n${md}`).toBe(true);
  }
}

describe('OpenSearch with the realistic mapping', () => {
  beforeAll(async () => {
    stack = own ? await bringUp({ ...OPENSEARCH_STACK, search: 'opensearch', connectors: CONNECTORS }) : undefined;
    provider = localProvider(stack ?? (await sharedStack()));
  }, 600_000);

  afterAll(async () => {
    if (stack) await stopVerified(stack);
    // On the stack you started, the files after this one expect the healthy pipeline that `up` registers.
    else if (provider) await restoreDefaultPipeline(provider.endpoints);
  }, 120_000);

  it('baseline converges, read through the mapping, and the report names the engine', async () => {
    // Either pinned major (`--versions opensearch=N` on the stack you started; the own stack runs the default).
    const pins = Object.values(MANIFEST.opensearch.versions).map((v) => v.version);
    expect(pins).toContain(provider.versions['opensearch']);
    const baseline = loadScenario(join(SCENARIOS_DIR, 'baseline.yaml'));
    // A stack just started on a loaded machine indexes slowly at first (a cold engine and sink: a minute of lag
    // was seen): the verdict is judged against a budget sized for that, the lag is not budgeted here.
    const scenario = { ...baseline, budget: { ...baseline.budget, convergenceMs: 180_000, lagP99Ms: null } };
    const { report } = await runScenario({
      scenario,
      provider,
      connectorsDir: CONNECTORS,
      durationMs: 10_000,
      replay: 'npx outbox-chaos run baseline --search opensearch --connectors examples/realistic-mapping',
    });
    const md = renderMarkdown(report);
    expectConvergedWithEvidence(report, md, 0);
    expect(report.regressions?.count ?? 0, md).toBe(0);
    expect(md).toContain(`documents in OpenSearch ${provider.versions['opensearch']}`);
  }, 480_000);

  // The catalogue's own files, seeds, durations and faults: the same scenarios as on Elasticsearch. Their
  // convergence budgets are sized for one stack on the machine; this file runs beside another stack's files, and
  // on two cores es-outage's catch-up (a retry that may wait 10 s after the heal, then a backlog indexed through
  // edge_ngram analyzers) once took longer than its 15 s. The budget here is the catalogue's plus 15 s; what this
  // file checks is that OpenSearch converges, read through the mapping, and that the fault bit.
  for (const name of ['es-outage', 'connect-crash', 'delete-reinsert-churn']) {
    it(`${name} converges, and its fault bit`, async () => {
      const catalogued = loadScenario(join(SCENARIOS_DIR, `${name}.yaml`));
      const convergenceMs = catalogued.budget.convergenceMs + 15_000;
      const scenario = { ...catalogued, budget: { ...catalogued.budget, convergenceMs } };
      const { report, md } = await runOnOpenSearch(scenario);
      expectConvergedWithEvidence(report, md, scenario.faults.length);
    }, 300_000);
  }
});
