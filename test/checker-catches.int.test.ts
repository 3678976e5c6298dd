import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBE_ID } from '../harness/observe/lag-probe.ts';
import type { HistoryEntry, ProductRow } from '../harness/record/history.ts';
import { readSnapshot, writeSnapshot } from '../harness/record/snapshot-file.ts';
import { loadScenario } from '../harness/scenario/load.ts';
import { recheckRun } from '../harness/scenario/recheck.ts';
import { runScenario } from '../harness/scenario/runner.ts';
import type { Scenario } from '../harness/scenario/schema.ts';
import { withPg } from '../harness/stack/pg.ts';
import { waitFor } from '../harness/stack/wait.ts';
import { sharedProvider } from './stack.ts';

const ZOMBIE_ID = 99_999_999;

async function es(url: string, method: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await r.json()) as Record<string, unknown>;
}

/** The committed states of every product in the run's history, in order (to plant an older one). */
function committedVersions(runDir: string): Map<number, (ProductRow | null)[]> {
  const out = new Map<number, (ProductRow | null)[]>();
  for (const line of readFileSync(join(runDir, 'history.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as HistoryEntry;
    if (e.outcome !== 'ok') continue;
    for (const f of e.effects) out.set(f.product_id, [...(out.get(f.product_id) ?? []), f.after]);
  }
  return out;
}

const toSource = (r: ProductRow): Record<string, unknown> => ({ ...r });

describe('the checker on a real run whose Elasticsearch was tampered with', () => {
  it('names each planted difference with its class and product_id, and re-checks the same offline', async () => {
    const base = loadScenario('baseline');
    const scenario: Scenario = {
      ...base,
      name: 'tampered-baseline',
      workload: { ...base.workload, durationMs: 8_000 },
      budget: { ...base.budget, convergenceMs: 3_000, lagP99Ms: null },
      expect: {
        verdict: 'diverged',
        anomalies: ['missing', 'zombie', 'stale', 'corrupt', 'duplicate', 'wrong-id'],
        regressions: 'any',
      },
    };
    const planted: Record<string, number[]> = {};
    const { report, runDir } = await runScenario({
      scenario,
      provider: await sharedProvider(),
      replay: 'vitest test/checker-catches.int.test.ts',
      beforeCheck: async ({ endpoints: ep, names, table, runDir: dir }) => {
        const index = `${ep.esUrl}/${names.index}`;
        // Let the pipeline deliver everything first, so nothing re-creates or overwrites what we plant.
        const rows = await withPg(ep, ep.pg.database, async (c) =>
          Number((await c.query(`SELECT count(*) FROM "${table}"`)).rows[0].count),
        );
        await waitFor(
          'Elasticsearch to hold every row',
          async () => {
            await es(`${index}/_refresh`, 'POST');
            return Number((await es(`${index}/_count`, 'GET')).count) === rows;
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        const page = await es(`${index}/_search`, 'POST', {
          size: 500,
          sort: [{ product_id: 'desc' }],
          query: { bool: { must_not: { term: { product_id: PROBE_ID } } } },
        });
        const hits = (page.hits as { hits: { _id: string; _source: Record<string, unknown> }[] }).hits;
        const ids = hits.map((h) => Number(h._id));
        // The run's history tells which products have an older committed version to plant.
        const versions = committedVersions(dir);
        const pick = (n: number, ok: (id: number) => boolean = () => true): number[] => {
          const used = new Set(Object.values(planted).flat());
          const out = ids.filter((id) => !used.has(id) && ok(id)).slice(0, n);
          if (out.length < n) throw new Error(`not enough products to plant ${n} (have ${out.length})`);
          return out;
        };
        planted.missing = pick(3);
        for (const id of planted.missing) await es(`${index}/_doc/${id}`, 'DELETE');
        planted.stale = pick(
          2,
          (id) => (versions.get(id) ?? []).filter((v) => v !== null).length >= 2 && versions.get(id)!.at(-1) !== null,
        );
        for (const id of planted.stale) {
          const older = versions
            .get(id)!
            .filter((v): v is ProductRow => v !== null)
            .at(-2)!;
          await es(`${index}/_doc/${id}`, 'PUT', toSource(older));
        }
        planted.corrupt = pick(2);
        for (const id of planted.corrupt) {
          const src = hits.find((h) => Number(h._id) === id)!._source;
          await es(`${index}/_doc/${id}`, 'PUT', { ...src, description: '__debezium_unavailable_value' });
        }
        planted.duplicate = pick(1);
        for (const id of planted.duplicate)
          await es(`${index}/_doc/${id}-copy`, 'PUT', hits.find((h) => Number(h._id) === id)!._source);
        planted['wrong-id'] = pick(2);
        for (const [i, id] of planted['wrong-id'].entries()) {
          await es(`${index}/_doc/${id}`, 'DELETE');
          await es(
            `${index}/_doc/outbox.public.products+0+${i}`,
            'PUT',
            hits.find((h) => Number(h._id) === id)!._source,
          );
        }
        planted.zombie = [ZOMBIE_ID];
        await es(`${index}/_doc/${ZOMBIE_ID}`, 'PUT', {
          product_id: ZOMBIE_ID,
          name: 'ghost',
          description: null,
          price: '1.00',
          created_at: 0,
        });
        await es(`${index}/_refresh`, 'POST');
      },
    });
    expect(report.verdict).toBe('diverged');
    for (const [cls, ids] of Object.entries(planted)) {
      const c = cls as keyof typeof report.anomalies.counts;
      expect(report.anomalies.counts[c], `${cls} count`).toBe(ids.length);
      expect(report.anomalies.examples[c].map((a) => a.product_id).sort(), `${cls} ids`).toEqual([...ids].sort());
    }
    expect(report.setupErrors?.count).toBe(0);
    expect(report.passed).toBe(true);

    // The run directory re-checks to the same verdict offline; once a saved document is removed, the re-check
    // refuses the run directory as damaged (its counts and digests no longer match what the run wrote).
    expect((await recheckRun(runDir, report)).same).toBe(true);
    const snap = readSnapshot(runDir)!;
    const zombie = snap.es!.findIndex((d) => d._id === String(ZOMBIE_ID));
    snap.es!.splice(zombie, 1);
    writeSnapshot(runDir, snap);
    await expect(recheckRun(runDir, report)).rejects.toThrow(/damaged run directory: .*es\.jsonl\.gz/);
  });
});
