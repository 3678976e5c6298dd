import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localProvider } from '../harness/provider/local.ts';
import { bringUp } from '../harness/provider/open.ts';
import { PROJECT_ROOT } from '../harness/record/paths.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadScenario, SCENARIOS_DIR } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import type { Stack } from '../harness/stack/stack.ts';
import { stopVerified } from './fixtures/stack-stop.ts';
import { OPENSEARCH_STACK } from './tools/lanes.ts';

/**
 * The realistic mapping (scaled_float price, custom analyzers with asciifolding and edge_ngram, a
 * search_as_you_type sub-field) on a stack of this file's own that runs OpenSearch with the modules it needs
 * (`--search opensearch`), beside the shared stack's files (test/tools/lanes.ts): the index is created, the sink
 * writes to it, and the checker reads it through OpenSearch's point in time and the mapping to a verdict.
 */
const CONNECTORS = join(PROJECT_ROOT, 'examples/realistic-mapping');
let stack: Stack | undefined;

describe('OpenSearch with the realistic mapping', () => {
  beforeAll(async () => {
    stack = await bringUp({ ...OPENSEARCH_STACK, search: 'opensearch', connectors: CONNECTORS });
  }, 600_000);

  afterAll(async () => {
    if (stack) await stopVerified(stack);
  }, 120_000);

  it('baseline converges, read through the mapping, and the report names the engine', async () => {
    const provider = localProvider(stack!);
    expect(provider.versions['opensearch']).toMatch(/^2\.\d+\.\d+$/);
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
    expect(report.verdict, md).toBe('converged');
    expect(report.passed, md).toBe(true);
    expect(report.final.esDocs, md).toBe(report.final.pgRows);
    expect(report.final.pgRows, md).toBeGreaterThan(0);
    expect(report.regressions?.count ?? 0, md).toBe(0);
    expect(md).toMatch(/documents in OpenSearch 2\./);
  }, 480_000);
});
