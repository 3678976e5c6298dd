import { describe, expect, it } from 'vitest';
import { runOnDefinition } from './stack.ts';

// The exact check of update order (examples/append: a ledger whose every write appends a token to `tokens`)
// under the faults that replay or reorder changes: every document a search showed must carry a list some
// commit made, each row's lists only growing. OUTBOX_CHAOS_SCENARIOS=a,b narrows the list.
const only = process.env.OUTBOX_CHAOS_SCENARIOS?.split(',').filter(Boolean);
const SCENARIOS = ['connect-crash', 'es-outage', 'walsender-killed', 'random-chaos'].filter(
  (s) => !only || only.includes(s),
);
const DIR = 'examples/append';

describe('update order, exactly (examples/append)', () => {
  for (const name of SCENARIOS) {
    it(`${name}: every list search showed was a committed prefix, in order`, async () => {
      const { report, md } = await runOnDefinition(name, DIR);
      expect(report.passed, md).toBe(true);
      const [ledger] = report.appends ?? [];
      expect(ledger, md).toMatchObject({ table: 'ledger', column: 'tokens', count: 0 });
      // It looked: every row from its first write, in many searches.
      expect(ledger!.rows).toBeGreaterThan(200);
      expect(ledger!.observations).toBeGreaterThan(5_000);
      expect(md).toMatch(/update order \(ledger\.tokens\) +\| every list of [\d,]+ documents shown was a committed/);
    });
  }
});
