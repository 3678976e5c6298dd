import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../harness/record/report.ts';
import { recheckRun } from '../harness/scenario/recheck.ts';
import { runOnDefinition } from './stack.ts';

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
      const { report, runDir, md } = await runOnDefinition(name, DIR);
      expect(report.passed, md).toBe(true);
      expect(report.tables?.map((t) => [t.table, t.index, t.equal])).toEqual([
        ['customers', 'customers', true],
        ['orders', 'orders', true],
      ]);
      // Both tables were written and compared: rows on each side, and the orders point at live customers.
      for (const t of report.tables ?? []) expect(t.pgRows, t.table).toBeGreaterThan(5);
      expect(report.lag.ops.samples, 'op visibility samples judge the lag budget').toBeGreaterThan(10);
      expect(md).toMatch(/table orders → index orders +\| \d+ rows, \d+ documents: equal/);
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

// A composite key whose documents are keyed by a generated column (examples/composite-key: stock by warehouse
// and SKU, _id doc_id): the source keys its messages by doc_id, the checker requires it as the _id, and the
// watches find documents by their key fields.
const COMPOSITE = 'examples/composite-key';

describe(`a composite key and an id column (${COMPOSITE})`, () => {
  for (const name of ['baseline', 'connect-crash'].filter((s) => !only || only.includes(s))) {
    it(`${name} converges, every document under its doc_id`, async () => {
      const { report, md } = await runOnDefinition(name, COMPOSITE);
      expect(report.passed, md).toBe(true);
      expect(report.tables?.map((t) => [t.table, t.index, t.equal])).toEqual([['stock', 'stock', true]]);
      expect(report.tables?.[0]?.pgRows).toBeGreaterThan(50);
      expect(report.lag.ops.samples, 'op visibility samples: the op tracker found documents by doc_id').toBeGreaterThan(
        10,
      );
      expect(report.regressions?.searches).toBeGreaterThan(10);
    });
  }
});
