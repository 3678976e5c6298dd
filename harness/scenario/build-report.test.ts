import { describe, expect, it } from 'vitest';
import { mergeTableComparisons } from '../check/tables.ts';
import { ANOMALY_CLASSES, type Comparison } from '../record/anomalies.ts';
import type { Sample } from '../record/samples.ts';
import type { WorkloadSummary } from '../workload/driver.ts';
import { appendsOf, buildReport, regressionsOf, slotLagOf, type ReportInput } from './build-report.ts';
import { loadScenario } from './load.ts';

describe('regressionsOf: what the regression watch covered reaches the judge', () => {
  it('carries the watch’s searches and polls (their largest sample), so a watch that looked is judged', () => {
    const samples: Sample[] = [
      { t: 1, kind: 'doc-watch', products: 1, reads: 1, polls: 1, unwatched: 3, exhaustive: false },
      { t: 2, kind: 'doc-watch', products: 50, reads: 79, polls: 81, unwatched: 623, exhaustive: false },
    ];
    expect(regressionsOf(samples)).toEqual({
      count: 0,
      sampledProducts: 50,
      examples: [],
      polls: 81,
      searches: 79,
      unwatched: 623,
      exhaustive: false,
      unjudged: false,
    });
  });

  it('says unjudged when no search succeeded, and carries nothing of a watch that never reported', () => {
    const failed: Sample[] = [{ t: 1, kind: 'doc-watch', products: 5, reads: 0, polls: 40 }];
    expect(regressionsOf(failed)).toMatchObject({ searches: 0, polls: 40, unjudged: true });
    expect(regressionsOf([])).toEqual({ count: 0, sampledProducts: 0, examples: [] });
  });

  it("counts each row of a definition's own tables once, by table and key (not by product_id -1)", () => {
    const v = (n: number) => ({ version: n, seq: n, t: n });
    const reg = (table: string, key: string) =>
      ({ t: 1, kind: 'regression', product_id: -1, table, key, from: v(2), to: v(1) }) as const;
    const r = regressionsOf([reg('orders', 'a'), reg('orders', 'b'), reg('orders', 'a'), reg('lines', 'a')]);
    expect(r.count).toBe(3);
    expect(r.examples.map((x) => `${x.table}:${x.key}`)).toEqual(['orders:a', 'orders:b', 'lines:a']);
  });
});

describe("buildReport: a definition's own tables", () => {
  const comparison = mergeTableComparisons(
    ['customers', 'orders'].map((table) => ({
      table,
      index: table,
      comparison: {
        equal: true,
        pgRows: 3,
        esDocs: 3,
        counts: Object.fromEntries(ANOMALY_CLASSES.map((k) => [k, 0])) as Comparison['counts'],
        examples: Object.fromEntries(ANOMALY_CLASSES.map((k) => [k, []])) as unknown as Comparison['examples'],
        setupErrors: { count: 0, examples: [] },
        ...(table === 'orders' ? { notCompared: ['orders.at'] } : {}),
      },
    })),
  );
  const input = (samples: Sample[]): ReportInput => ({
    runId: 'r',
    scenario: loadScenario('baseline'),
    seed: 1,
    replay: 'npx outbox-chaos run baseline',
    provider: 'local',
    connectorsDir: 'examples/orders',
    startedAt: 0,
    finishedAt: 60_000,
    verdict: 'converged',
    timeToConvergenceMs: 100,
    comparison,
    workload: {
      opsRecorded: 10,
      opsPerSec: 1,
      byKind: { insert: 10, update: 0, delete: 0, reinsert: 0, txn: 0 },
      byOutcome: { ok: 10, failed: 0, unknown: 0 },
    } as WorkloadSummary,
    workloadHash: 'h',
    samples,
    timeline: [],
    connectors: [],
    connectorNames: { source: 's', sink: 'k' },
    versions: {},
    notes: [],
    flaps: [],
    settleMs: 2000,
  });

  it('shows each table, names the lossy columns, and judges the lag budget on op visibility', () => {
    const ops: Sample[] = [300, 400, 20_000].map((lagMs, i) => ({ t: 1000 + i, kind: 'op-lag', opSeq: i, lagMs }));
    const r = buildReport(input(ops));
    expect(r.tables?.map((t) => t.table)).toEqual(['customers', 'orders']);
    expect(r.notCompared).toEqual(['orders.at']);
    expect(r.lag.p99).toBe(20_000);
    expect(r.notes).toContain('✘ steady-state op visibility lag p99 20000 ms is over the budget of 10000 ms');
    expect(buildReport(input([])).notes).toContain(
      '✘ no op visibility lag sample outside fault windows: the lag budget of 10000 ms cannot be judged',
    );
  });
});

describe('appendsOf: the append check per table, each row once', () => {
  it('takes the largest coverage and the first finding of each row, by shape', () => {
    const finding = (key: string, shape: 'lost' | 'regressed', t: number): Sample => ({
      t,
      kind: 'append',
      table: 'ledger',
      key,
      shape,
      committed: ['t1', 't2'],
      observed: ['t2'],
    });
    const samples: Sample[] = [
      { t: 1, kind: 'append-watch', table: 'ledger', column: 'tokens', rows: 5, observations: 40 },
      finding('7', 'lost', 2),
      finding('7', 'regressed', 3),
      finding('8', 'regressed', 4),
      { t: 5, kind: 'append-watch', table: 'ledger', column: 'tokens', rows: 9, observations: 90 },
    ];
    expect(appendsOf(samples)).toEqual([
      {
        table: 'ledger',
        column: 'tokens',
        rows: 9,
        observations: 90,
        count: 2,
        byShape: { lost: 1, regressed: 1 },
        examples: [
          { t: 2, table: 'ledger', key: '7', shape: 'lost', committed: ['t1', 't2'], observed: ['t2'] },
          { t: 4, table: 'ledger', key: '8', shape: 'regressed', committed: ['t1', 't2'], observed: ['t2'] },
        ],
      },
    ]);
    expect(appendsOf([])).toBeUndefined();
  });
});

describe('slotLagOf: the slot at its furthest behind', () => {
  it('takes the largest sample, the first of equal ones', () => {
    const lag = (t: number, bytes: number): Sample => ({ t, kind: 'slot-lag', slot: 's', bytes, active: true });
    expect(slotLagOf([lag(1, 5), lag(2, 9), lag(3, 9), lag(4, 2)])).toEqual({ maxBytes: 9, t: 2 });
    expect(slotLagOf([{ t: 1, kind: 'op-rate', opsPerSec: 3 }])).toBeUndefined();
  });
});
