import { describe, expect, it } from 'vitest';
import { PROBE_ID } from '../harness/observe/lag-probe.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import type { Scenario } from '../harness/scenario/schema.ts';
import { withPg } from '../harness/stack/pg.ts';
import { waitFor } from '../harness/stack/wait.ts';
import { sharedProvider } from './stack.ts';

const ZOMBIE_ID = 99_999_999;

async function es(url: string, method: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await r.json()) as Record<string, unknown>;
}

describe('the checker on a real run whose Elasticsearch was tampered with', () => {
  it('names deleted documents as missing and a stray document as zombie, and the verdict diverged', async () => {
    const base = loadScenario('baseline');
    const scenario: Scenario = {
      ...base,
      name: 'tampered-baseline',
      workload: { ...base.workload, durationMs: 8_000 },
      budget: { ...base.budget, convergenceMs: 3_000, lagP99Ms: null },
      expect: { verdict: 'diverged', anomalies: ['missing', 'zombie'], regressions: 'any' },
    };
    let deleted: number[] = [];
    const { report } = await runScenario({
      scenario,
      provider: await sharedProvider(),
      replay: 'vitest test/checker-catches.int.test.ts',
      beforeCheck: async ({ endpoints: ep, names, table }) => {
        const index = `${ep.esUrl}/${names.index}`;
        // Let the pipeline deliver everything first, so nothing re-creates what we delete.
        const rows = await withPg(ep, ep.pg.database, async (c) => Number((await c.query(`SELECT count(*) FROM "${table}"`)).rows[0].count));
        await waitFor('Elasticsearch to hold every row', async () => {
          await es(`${index}/_refresh`, 'POST');
          return Number((await es(`${index}/_count`, 'GET')).count) === rows;
        }, { timeoutMs: 60_000, intervalMs: 500 });
        const page = await es(`${index}/_search`, 'POST', { size: 3, sort: [{ product_id: 'desc' }], query: { bool: { must_not: { term: { product_id: PROBE_ID } } } } });
        deleted = ((page.hits as { hits: { _id: string }[] }).hits).map((h) => Number(h._id));
        for (const id of deleted) await es(`${index}/_doc/${id}?refresh=true`, 'DELETE');
        await es(`${index}/_doc/${ZOMBIE_ID}?refresh=true`, 'PUT', { product_id: ZOMBIE_ID, name: 'ghost', description: null, price: '1.00', created_at: 0 });
      },
    });
    expect(deleted).toHaveLength(3);
    expect(report.verdict).toBe('diverged');
    expect(report.anomalies.counts.missing).toBe(3);
    expect(report.anomalies.examples.missing.map((a) => a.product_id).sort()).toEqual([...deleted].sort());
    expect(report.anomalies.counts.zombie).toBe(1);
    expect(report.anomalies.examples.zombie[0]?.product_id).toBe(ZOMBIE_ID);
    expect(report.passed).toBe(true);
  });
});
