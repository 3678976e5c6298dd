import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../harness/provider/interface.ts';
import { localProvider } from '../harness/provider/local.ts';
import { bringUp } from '../harness/provider/open.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadZooEntries } from '../harness/scenario/zoo/entries.ts';
import { runZooEntry } from '../harness/scenario/zoo/run.ts';
import { describeOutcome } from '../harness/scenario/zoo/summary.ts';
import type { Stack } from '../harness/stack/stack.ts';
import { stopVerified } from './fixtures/stack-stop.ts';
import { sharedStack } from './stack.ts';
import { ownsStack, ZOO_STACK } from './tools/lanes.ts';

// The bug zoo: every scenarios/zoo/<name>/ is a pipeline definition with one deliberate misconfiguration,
// and the harness must catch it (verdict as expected AND every expected anomaly class seen, plus the
// entry's zoo.yaml expectations such as a FAILED sink task). Entries marked `mustPass: false` are
// reproduction attempts and are skipped here; `npm run zoo` still runs and reports them.
// OUTBOX_CHAOS_ZOO=a,b narrows the list.
// The entries run on a single stack of this file's own (OUTBOX_CHAOS_TEST_ZOO_NAME, _PORT_BASE), beside the
// shared stack's files (test/tools/lanes.ts); on a stack you started (OUTBOX_CHAOS_TEST_REUSE), on that one.
const own = ownsStack('zoo.int.test.ts');
const only = process.env.OUTBOX_CHAOS_ZOO?.split(',').filter(Boolean);
// The cluster's entries (topology: cluster) run on the cluster stack: test/cluster.int.test.ts.
const entries = loadZooEntries(only).filter((e) => e.scenario.topology !== 'cluster');

let stack: Stack | undefined;
let provider: Provider;

describe('bug zoo: known-bad pipelines the harness must catch', () => {
  beforeAll(async () => {
    stack = own && entries.some((e) => e.extra.mustPass) ? await bringUp(ZOO_STACK) : undefined;
    provider = localProvider(stack ?? (await sharedStack()));
  }, 300_000);

  afterAll(async () => {
    if (stack) await stopVerified(stack);
  }, 120_000);

  for (const entry of entries) {
    it.skipIf(!entry.extra.mustPass)(
      entry.extra.mustPass ? entry.name : `${entry.name} (skipped: a reproduction attempt, reported by npm run zoo)`,
      async () => {
        const outcome = await runZooEntry(entry, provider);
        const { report } = outcome;
        // The report's own summary is the failure message: what was expected, what was seen, examples.
        const message = `${describeOutcome(outcome)}\n\n${renderMarkdown(report)}`;
        expect(report.passed, message).toBe(true);
        expect(outcome.reasons, message).toEqual([]);
      },
    );
  }
});
