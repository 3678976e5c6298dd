import { describe, expect, it } from 'vitest';
import { localProvider } from '../harness/provider/local.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadZooEntries } from '../harness/scenario/zoo/entries.ts';
import { runZooEntry } from '../harness/scenario/zoo/run.ts';
import { describeOutcome } from '../harness/scenario/zoo/summary.ts';
import { sharedStack } from './stack.ts';

// The bug zoo: every scenarios/zoo/<name>/ is a pipeline definition with one deliberate misconfiguration,
// and the harness must catch it (verdict as expected AND every expected anomaly class seen, plus the
// entry's zoo.yaml expectations such as a FAILED sink task). Entries marked `mustPass: false` are
// reproduction attempts and are skipped here; `npm run zoo` still runs and reports them.
// OUTBOX_CHAOS_ZOO=a,b narrows the list.
const only = process.env.OUTBOX_CHAOS_ZOO?.split(',').filter(Boolean);
// The cluster's entries (topology: cluster) run on the cluster stack: test/cluster.int.test.ts.
const entries = loadZooEntries(only).filter((e) => e.scenario.topology !== 'cluster');

describe('bug zoo: known-bad pipelines the harness must catch', () => {
  for (const entry of entries) {
    it.skipIf(!entry.extra.mustPass)(entry.extra.mustPass ? entry.name : `${entry.name} (skipped: a reproduction attempt, reported by npm run zoo)`, async () => {
      const outcome = await runZooEntry(entry, localProvider(await sharedStack()));
      const { report } = outcome;
      // The report's own summary is the failure message: what was expected, what was seen, examples.
      const message = `${describeOutcome(outcome)}\n\n${renderMarkdown(report)}`;
      expect(report.passed, message).toBe(true);
      expect(outcome.reasons, message).toEqual([]);
    });
  }
});
