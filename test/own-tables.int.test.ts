import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../harness/record/report.ts';
import { renderMarkdown } from '../harness/report/markdown.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { recheckRun } from '../harness/scenario/recheck.ts';
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
      const { report, runDir } = await runScenario({
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
      if (name === 'baseline') await expectRecheck(runDir, report);
    });
  }
});

/**
 * `report --recheck` of a tables run: each table's saved rows, documents, mapping and model give today's checker
 * the same verdict; with the customers' mapping edited to an object field for the jsonb preferences, it finds
 * the customers with preferences corrupt (the JSON text is no object), the orders untouched.
 */
async function expectRecheck(runDir: string, report: RunReport): Promise<void> {
  const same = await recheckRun(runDir, report);
  expect(same.differences).toEqual([]);
  expect(same.comparison.tables?.map((t) => [t.table, t.equal, t.pgRows])).toEqual(
    report.tables?.map((t) => [t.table, true, t.pgRows]),
  );
  const meta = join(runDir, 'snapshot', 'tables', 'customers', 'meta.json');
  const saved = JSON.parse(readFileSync(meta, 'utf8')) as { mapping: { properties: Record<string, unknown> } };
  saved.mapping.properties['preferences'] = { type: 'object', enabled: false };
  writeFileSync(meta, JSON.stringify(saved));
  const edited = await recheckRun(runDir, report);
  expect(edited.now.verdict).toBe('diverged');
  expect(edited.comparison.tables?.find((t) => t.table === 'customers')?.counts.corrupt).toBeGreaterThan(0);
  expect(edited.comparison.tables?.find((t) => t.table === 'orders')?.equal).toBe(true);
}
