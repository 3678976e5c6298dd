import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import { sharedProvider } from './stack.ts';

// A definition's own tables (examples/orders: customers with a bigint key, orders with a uuid key and a foreign
// key to them; jsonb, bool, date, timestamptz, numeric(12,4), text[], an enum, bytea) under part of the catalogue:
// the workload writes both tables, each is compared with its own index, and the report shows each table.
// OUTBOX_CHAOS_SCENARIOS=a,b narrows the list.
const only = process.env.OUTBOX_CHAOS_SCENARIOS?.split(',').filter(Boolean);
const SCENARIOS = ['baseline', 'es-outage', 'connect-crash', 'delete-reinsert-churn'].filter(
  (s) => !only || only.includes(s),
);
const DIR = 'examples/orders';

describe('own tables (examples/orders)', () => {
  for (const name of SCENARIOS) {
    it(`${name} converges on ${DIR}, each table equal to its index`, async () => {
      const scenario = loadScenario(name);
      const { report } = await runScenario({
        scenario,
        provider: await sharedProvider(),
        connectorsDir: DIR,
        replay: `npx outbox-chaos run ${name} --seed ${scenario.seed} --connectors ${DIR}`,
      });
      expect(report.passed, renderMarkdown(report)).toBe(true);
      expect(report.tables?.map((t) => [t.table, t.index, t.equal])).toEqual([
        ['customers', 'customers', true],
        ['orders', 'orders', true],
      ]);
      // Both tables were written and compared: rows on each side, and the orders point at live customers.
      for (const t of report.tables ?? []) expect(t.pgRows, t.table).toBeGreaterThan(5);
      expect(report.lag.ops.samples, 'op visibility samples judge the lag budget').toBeGreaterThan(10);
      expect(renderMarkdown(report)).toMatch(/table orders → index orders +\| \d+ rows, \d+ documents: equal/);
    });
  }
});
