import { describe, expect, it } from 'vitest';
import { ANOMALY_CLASSES, type AnomalyClass } from '../record/anomalies.ts';
import { appendsSeen, judge, observedIn, type Expectation, type Observed } from './judge.ts';
import { fixtureRun } from '../../test/fixtures/run.ts';

const zero = Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, 0])) as Record<AnomalyClass, number>;
const names = { source: 'product-connector', sink: 'elasticsearch-sink-connector' };

function healthy(over: Partial<Expectation> = {}): Expectation {
  return { verdict: 'converged', anomalies: [], lagP99Ms: null, regressions: 'none', ...over };
}

function seen(over: Partial<Observed> = {}): Observed {
  return {
    verdict: 'converged',
    counts: zero,
    steadyP99: 300,
    connectors: [
      { name: names.source, state: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING' }] },
      { name: names.sink, state: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING' }] },
    ],
    connectorNames: names,
    setupErrors: 0,
    okOps: 120,
    regressions: 0,
    watch: { products: 12, reads: 80, polls: 80 },
    rowsExpected: 100,
    ...over,
  };
}

describe('judge', () => {
  it('an expected likely cause must be among the diagnoses', () => {
    const e = healthy({ verdict: 'diverged', anomalies: ['zombie'], diagnosis: 'truncate', regressions: 'any' });
    const run = (diagnoses: string[]) =>
      judge(e, seen({ verdict: 'diverged', counts: { ...zero, zombie: 300 }, diagnoses })).reasons;
    expect(run(['products still searchable after a TRUNCATE of the source table'])).toEqual([]);
    expect(run(['deleted products still searchable, though the topic holds tombstones'])).toEqual([
      'expected a likely cause matching /truncate/, the report names ' +
        '"deleted products still searchable, though the topic holds tombstones"',
    ]);
    expect(run([])).toEqual(['expected a likely cause matching /truncate/, the report names none']);
  });

  it('judges records sent twice only when expected, and never without having read them', () => {
    const counted = (duplicates: number, records = 500, unidentified = 0) => ({ records, duplicates, unidentified });
    expect(judge(healthy({ duplicates: 'none' }), seen({ topicDuplicates: counted(0) })).passed).toBe(true);
    expect(judge(healthy({ duplicates: 'none' }), seen({ topicDuplicates: counted(3) })).reasons).toEqual([
      "the sink's topics held 3 record(s) twice (same key and LSN): expected none",
    ]);
    expect(judge(healthy({ duplicates: 'some' }), seen({ topicDuplicates: counted(1) })).passed).toBe(true);
    expect(judge(healthy({ duplicates: 'some' }), seen({ topicDuplicates: counted(0) })).reasons).toEqual([
      'expected the fault to make the source send records again (at-least-once), the topics held none twice',
    ]);
    expect(judge(healthy({ duplicates: 'none' }), seen({ topicDuplicates: null })).reasons).toEqual([
      "duplicates unjudged: the sink's topics could not be read",
    ]);
    expect(judge(healthy({ duplicates: 'none' }), seen()).reasons).toEqual([
      "duplicates unjudged: the sink's topics were not read",
    ]);
    expect(judge(healthy({ duplicates: 'none' }), seen({ topicDuplicates: counted(0, 40, 40) })).reasons).toEqual([
      "duplicates unjudged: none of the topics' 40 record(s) carries an LSN to tell a repeat by",
    ]);
    // Some records without an LSN do not void the count of the others.
    expect(judge(healthy({ duplicates: 'none' }), seen({ topicDuplicates: counted(0, 40, 39) })).passed).toBe(true);
    // Not expected: counted or not, not judged.
    expect(judge(healthy(), seen({ topicDuplicates: counted(9) })).passed).toBe(true);
  });

  it('passes a healthy run that did what it should', () => {
    expect(judge(healthy({ lagP99Ms: 1000 }), seen())).toEqual({ passed: true, reasons: [] });
  });

  it('fails on a verdict other than the expected one', () => {
    expect(judge(healthy(), seen({ verdict: 'diverged' })).reasons).toEqual(['verdict diverged, expected converged']);
    expect(judge(healthy(), seen({ verdict: 'flapped' })).reasons).toEqual(['verdict flapped, expected converged']);
    expect(judge(healthy({ verdict: 'diverged' }), seen()).reasons).toEqual(['verdict converged, expected diverged']);
  });

  it('needs every expected anomaly class', () => {
    const e = healthy({ verdict: 'diverged', anomalies: ['zombie', 'stale'], regressions: 'any' });
    expect(judge(e, seen({ verdict: 'diverged', counts: { ...zero, zombie: 3, stale: 1 } })).passed).toBe(true);
    expect(judge(e, seen({ verdict: 'diverged', counts: { ...zero, zombie: 3 } })).reasons).toEqual([
      'expected stale anomalies, saw none',
    ]);
  });

  describe('an expected FAILED task', () => {
    const e = healthy({ verdict: 'diverged', failedTask: 'sink', regressions: 'any' });
    const sink = (state: string, trace?: string) => [
      { name: names.source, state: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING' }] },
      { name: names.sink, state: 'RUNNING', tasks: [{ id: 0, state, ...(trace ? { trace } : {}) }] },
    ];
    it('passes with the FAILED task and its trace', () => {
      expect(judge(e, seen({ verdict: 'diverged', connectors: sink('FAILED', 'Caused by: x') })).passed).toBe(true);
    });
    it('fails without it, without its trace, or without the connector', () => {
      expect(judge(e, seen({ verdict: 'diverged', connectors: sink('RUNNING') })).reasons[0]).toMatch(
        /expected a FAILED task of elasticsearch-sink-connector/,
      );
      expect(judge(e, seen({ verdict: 'diverged', connectors: sink('FAILED') })).reasons[0]).toMatch(/has no trace/);
      expect(judge(e, seen({ verdict: 'diverged', connectors: [] })).reasons[0]).toMatch(/is not in report.connectors/);
    });
    it('names what the connector shows instead: its state and every task, or that it has none', () => {
      const tasks = [
        { id: 0, state: 'RUNNING' },
        { id: 1, state: 'UNASSIGNED' },
      ];
      const twoTasks = [{ name: names.sink, state: 'RUNNING', tasks }];
      expect(judge(e, seen({ verdict: 'diverged', connectors: twoTasks })).reasons).toEqual([
        'expected a FAILED task of elasticsearch-sink-connector, ' +
          'report.connectors shows RUNNING / 0: RUNNING, 1: UNASSIGNED',
      ]);
      const none = [{ name: names.sink, state: 'UNASSIGNED', tasks: [] }];
      expect(judge(e, seen({ verdict: 'diverged', connectors: none })).reasons).toEqual([
        'expected a FAILED task of elasticsearch-sink-connector, report.connectors shows UNASSIGNED / no tasks',
      ]);
    });
    it('a blank trace is no trace', () => {
      expect(judge(e, seen({ verdict: 'diverged', connectors: sink('FAILED', ' \n ') })).reasons).toEqual([
        'task 0 of elasticsearch-sink-connector is FAILED but report.connectors has no trace for it',
      ]);
    });
    it('judges the task of the connector the expectation names (source or sink)', () => {
      const source = healthy({ verdict: 'diverged', failedTask: 'source', regressions: 'any' });
      expect(
        judge(source, seen({ verdict: 'diverged', connectors: sink('FAILED', 'Caused by: x') })).reasons[0],
      ).toMatch(/expected a FAILED task of product-connector/);
    });
  });

  describe('the lag budget (healthy expectations)', () => {
    it('fails when the steady-state p99 is over the budget', () => {
      expect(judge(healthy({ lagP99Ms: 200 }), seen({ steadyP99: 300 })).reasons).toEqual([
        'steady-state end-to-end lag p99 300 ms is over the budget of 200 ms',
      ]);
    });
    it("a definition's own tables are judged on their ops' visibility lag, and say so", () => {
      const own = seen({ steadyP99: 300, lagSource: 'op visibility' });
      expect(judge(healthy({ lagP99Ms: 200 }), own).reasons).toEqual([
        'steady-state op visibility lag p99 300 ms is over the budget of 200 ms',
      ]);
      expect(judge(healthy({ lagP99Ms: 200 }), { ...own, steadyP99: null }).reasons[0]).toMatch(
        /no op visibility lag sample outside fault windows/,
      );
    });
    it('passes a steady-state p99 exactly at the budget', () => {
      expect(judge(healthy({ lagP99Ms: 300 }), seen({ steadyP99: 300 })).passed).toBe(true);
    });
    it('fails, never passes silently, when there is no lag sample to judge the budget by', () => {
      expect(judge(healthy({ lagP99Ms: 200 }), seen({ steadyP99: null })).reasons[0]).toMatch(
        /no end-to-end lag sample outside fault windows/,
      );
    });
    it('is not judged without a budget, nor for an expected divergence', () => {
      expect(judge(healthy(), seen({ steadyP99: null })).passed).toBe(true);
      expect(
        judge(
          healthy({ verdict: 'diverged', lagP99Ms: 10, regressions: 'any' }),
          seen({ verdict: 'diverged', steadyP99: 9000 }),
        ).passed,
      ).toBe(true);
    });
  });

  it('a failed warm-up fails a healthy expectation, not a zoo entry that expects the pipeline broken', () => {
    const w = 'timed out after 60000 ms waiting for the lag probe to see its first marker';
    expect(judge(healthy(), seen({ warmUpFailure: w })).reasons).toEqual([`warm-up failed: ${w}`]);
    expect(
      judge(healthy({ verdict: 'converged-late' }), seen({ verdict: 'converged-late', warmUpFailure: w })).passed,
    ).toBe(false);
    expect(
      judge(healthy({ verdict: 'diverged', regressions: 'any' }), seen({ verdict: 'diverged', warmUpFailure: w }))
        .passed,
    ).toBe(true);
  });

  it('setup errors and an empty workload fail every run, whatever it expects', () => {
    for (const e of [healthy(), healthy({ verdict: 'diverged', regressions: 'any' })]) {
      const verdict = e.verdict;
      expect(judge(e, seen({ verdict, setupErrors: 3 })).reasons[0]).toMatch(
        /^setup error: Postgres disagrees with the workload's history for 3 product/,
      );
      expect(judge(e, seen({ verdict, okOps: 0 })).reasons).toEqual([
        'the workload committed no operation: nothing was tested',
      ]);
    }
  });

  it('a history that leaves fewer rows than the minimum proved nothing: never a pass, and it says so', () => {
    // One committed operation that changed no row (a delete of an absent key): both stores empty, "equal".
    const empty = seen({ okOps: 1, rowsExpected: 0 });
    expect(judge(healthy(), empty).passed).toBe(false);
    expect(judge(healthy(), empty).reasons).toEqual([
      "the history's committed operations leave 0 row(s), fewer than the 10 this scenario needs to compare " +
        '(expect.minRows): the run proved nothing',
    ]);
    expect(judge(healthy({ minRows: 3 }), seen({ rowsExpected: 2 })).passed).toBe(false);
    expect(judge(healthy({ minRows: 3 }), seen({ rowsExpected: 3 })).passed).toBe(true);
    expect(
      judge(healthy({ verdict: 'diverged', regressions: 'any' }), seen({ verdict: 'diverged', rowsExpected: 9 }))
        .passed,
    ).toBe(false);
  });

  it('a watch that could not look leaves regressions unjudged, which fails an expectation of none', () => {
    const never = seen({ watch: { products: 12, reads: 0, polls: 40 } });
    expect(judge(healthy(), never).reasons).toEqual([
      'regressions unjudged: the watch had 12 product(s) and 0 successful search(es) of 40',
    ]);
    expect(judge(healthy(), seen({ watch: { products: 0, reads: 30, polls: 30 } })).passed).toBe(false);
    const { watch: _w, ...noWatch } = seen();
    expect(judge(healthy(), noWatch).reasons).toEqual(['regressions unjudged: no regression watch ran']);
    // Not judged when the scenario does not expect "none".
    expect(judge(healthy({ regressions: 'any' }), never).passed).toBe(true);
  });

  it('regressions: none, some or any', () => {
    expect(judge(healthy(), seen({ regressions: 2 })).reasons).toEqual([
      'search users saw 2 product(s) go back to an older version during the run',
    ]);
    expect(judge(healthy({ regressions: 'some' }), seen()).reasons).toEqual([
      'expected search users to see a product go back to an older version, saw none',
    ]);
    expect(judge(healthy({ regressions: 'some' }), seen({ regressions: 1 })).passed).toBe(true);
    expect(judge(healthy({ regressions: 'any' }), seen({ regressions: 5 })).passed).toBe(true);
  });

  it('collects every reason at once', () => {
    const r = judge(
      healthy({ lagP99Ms: 10, anomalies: ['missing'] }),
      seen({ verdict: 'diverged', setupErrors: 1, regressions: 1, steadyP99: 50 }),
    );
    expect(r.reasons).toHaveLength(5);
    expect(r.passed).toBe(false);
  });

  it('observedIn reads a recorded report (the zoo re-judges reports)', () => {
    const { report } = fixtureRun('diverged');
    const o = observedIn(
      {
        ...report,
        setupErrors: { count: 2, examples: [] },
        regressions: { count: 1, sampledProducts: 40, examples: [], searches: 30, polls: 33 },
        evidence: { rowsExpected: 77, minRows: 10 },
        warmUpFailure: 'x',
      },
      names,
    );
    expect(o).toMatchObject({ watch: { products: 40, reads: 30, polls: 33 }, rowsExpected: 77 });
    expect(o).toMatchObject({
      verdict: 'diverged',
      setupErrors: 2,
      regressions: 1,
      warmUpFailure: 'x',
      okOps: report.ops.byOutcome.ok,
      counts: report.anomalies.counts,
    });
    expect(observedIn(report, names)).toMatchObject({ setupErrors: 0, regressions: 0 });
    expect(observedIn(report, names).warmUpFailure).toBeUndefined();
    // The lag budget is judged on the steady-state p99; a report without one has nothing to judge it by.
    const steady = { samples: 3, p50: 100, p95: 180, p99: 190, max: 190 };
    expect(observedIn({ ...report, lag: { ...report.lag, steady } }, names).steadyP99).toBe(190);
    const { steady: _none, ...withoutSteady } = report.lag;
    expect(observedIn({ ...report, lag: withoutSteady }, names).steadyP99).toBeNull();
  });
});

describe('judge: the append check', () => {
  const appends = (over: Partial<NonNullable<Observed['appends']>> = {}): Observed['appends'] => ({
    observations: 400,
    regressed: 0,
    shapes: 0,
    ...over,
  });

  it('passes a healthy run whose lists were all committed prefixes in order', () => {
    expect(judge(healthy(), seen({ appends: appends() })).reasons).toEqual([]);
  });

  it('fails a list no commit order makes, naming its witness, whatever the expectation', () => {
    const example = 'ledger 7: lost, committed [t1 t4 t9], shown [t1 t9]';
    const bad = appends({ shapes: 2, example });
    const reason = `update order: search showed 2 row(s) with a list of updates no commit order makes (${example})`;
    expect(judge(healthy(), seen({ appends: bad })).reasons).toEqual([reason]);
    expect(judge(healthy({ regressions: 'any' }), seen({ appends: bad })).reasons).toEqual([reason]);
  });

  it('counts rows the append check saw go back as regressions', () => {
    const back = seen({ appends: appends({ regressed: 3 }) });
    expect(judge(healthy(), back).reasons).toEqual([
      'search users saw 3 product(s) go back to an older version during the run',
    ]);
    expect(judge(healthy({ regressions: 'some' }), back).reasons).toEqual([]);
    expect(judge(healthy({ regressions: 'some' }), seen({ appends: appends() })).reasons).toEqual([
      'expected search users to see a product go back to an older version, saw none',
    ]);
  });

  it('a check that judged no document is unjudged', () => {
    expect(judge(healthy(), seen({ appends: appends({ observations: 0 }) })).reasons).toEqual([
      'update order unjudged: the append check judged no document',
    ]);
  });
});

describe('appendsSeen', () => {
  it('sums the tables, keeps regressions apart and names a finding that is not one', () => {
    const w = (shape: 'lost' | 'regressed', key: string) => ({
      t: 1,
      table: 'ledger',
      key,
      shape,
      committed: ['t1', 't2'],
      observed: shape === 'lost' ? ['t2'] : ['t1'],
    });
    expect(
      appendsSeen([
        {
          table: 'ledger',
          column: 'tokens',
          rows: 9,
          observations: 50,
          count: 1,
          byShape: { regressed: 1 },
          examples: [w('regressed', '1')],
        },
        {
          table: 'audit',
          column: 'tokens',
          rows: 4,
          observations: 20,
          count: 2,
          byShape: { lost: 1, regressed: 1 },
          examples: [w('regressed', '2'), w('lost', '3')],
        },
      ]),
    ).toEqual({ observations: 70, regressed: 2, shapes: 1, example: 'ledger 3: lost, committed [t1 t2], shown [t2]' });
    expect(appendsSeen(undefined)).toBeUndefined();
  });
});

describe('judge: the slot lag bound', () => {
  it('a healthy bound fails a slot that fell further behind, and a run without a sample', () => {
    const e = healthy({ slotLagMb: { max: 32 } });
    expect(judge(e, seen({ slotLagMaxBytes: 15_500_000 })).reasons).toEqual([]);
    expect(judge(e, seen({ slotLagMaxBytes: 89_600_000 })).reasons).toEqual([
      'the replication slot fell 89.6 MB behind the WAL, over the 32 MB bound: ' +
        'Postgres keeps all of it until the connector confirms an LSN past it',
    ]);
    expect(judge(e, seen()).reasons).toEqual(['slot lag unjudged: no slot-lag sample was taken']);
  });

  it('a floor (the bug a zoo entry shows) fails a slot that stayed under it', () => {
    const e = healthy({ slotLagMb: { min: 48 } });
    expect(judge(e, seen({ slotLagMaxBytes: 89_600_000 })).reasons).toEqual([]);
    expect(judge(e, seen({ slotLagMaxBytes: 12_000_000 })).reasons).toEqual([
      'expected the replication slot to fall at least 48 MB behind the WAL, it fell 12.0 MB at most',
    ]);
  });

  it('reads the largest slot lag of a recorded report', () => {
    const report = { ...fixtureRun().report, slotLag: { maxBytes: 5e6, t: 1 } };
    expect(observedIn(report, names).slotLagMaxBytes).toBe(5e6);
  });
});

describe('judge: the exact edges', () => {
  it('names a setup error in full', () => {
    expect(judge(healthy(), seen({ setupErrors: 2 })).reasons).toEqual([
      "setup error: Postgres disagrees with the workload's history for 2 product(s) " +
        '(is the check reading the table the workload wrote? does anything else write to it?)',
    ]);
  });

  it('an empty workload is not also a history with too few rows', () => {
    expect(judge(healthy(), seen({ okOps: 0, rowsExpected: 0 })).reasons).toEqual([
      'the workload committed no operation: nothing was tested',
    ]);
  });

  it('a fault that left no evidence makes the run vacuous', () => {
    const window = { id: 'k', fault: 'process.kill', target: 'connect', start: 3_000, end: 4_000 };
    expect(judge(healthy(), seen({ faults: { windows: [window], runStart: 1_000 } })).reasons).toEqual([
      expect.stringMatching(/^vacuous: k \(process\.kill on connect\) at \+2\.0 s left no evidence/),
    ]);
  });

  it('rows that went back are not also unjudged when the watch could not look', () => {
    expect(judge(healthy(), seen({ regressions: 2, watch: { products: 0, reads: 0, polls: 4 } })).reasons).toEqual([
      'search users saw 2 product(s) go back to an older version during the run',
    ]);
  });

  it('an expected likely cause with no diagnoses recorded: the report names none', () => {
    const { diagnoses: _d, ...none } = seen();
    expect(judge(healthy({ diagnosis: 'truncate' }), none).reasons).toEqual([
      'expected a likely cause matching /truncate/, the report names none',
    ]);
  });

  it('names every diagnosis when none matches, comma-separated', () => {
    expect(judge(healthy({ diagnosis: 'truncate' }), seen({ diagnoses: ['a', 'b'] })).reasons).toEqual([
      'expected a likely cause matching /truncate/, the report names "a", "b"',
    ]);
  });

  it('a list no commit order makes, without a witness to name', () => {
    const appends = { observations: 10, regressed: 0, shapes: 1 };
    expect(judge(healthy(), seen({ appends })).reasons).toEqual([
      'update order: search showed 1 row(s) with a list of updates no commit order makes',
    ]);
  });

  it('a slot lag exactly at its bound passes, ceiling or floor', () => {
    expect(judge(healthy({ slotLagMb: { max: 32 } }), seen({ slotLagMaxBytes: 32_000_000 })).reasons).toEqual([]);
    expect(judge(healthy({ slotLagMb: { min: 48 } }), seen({ slotLagMaxBytes: 48_000_000 })).reasons).toEqual([]);
  });

  it('observedIn reads the append check, the fault windows and the diagnoses of a recorded report', () => {
    const { report } = fixtureRun();
    const witness = { t: 1, table: 'ledger', key: '3', shape: 'lost' as const, committed: ['t1'], observed: [] };
    const o = observedIn(
      {
        ...report,
        appends: [
          {
            table: 'ledger',
            column: 'tokens',
            rows: 1,
            observations: 5,
            count: 1,
            byShape: { lost: 1 },
            examples: [witness],
          },
        ],
        diagnoses: [{ signature: 'sig', cause: 'c', fix: 'f', evidence: [] }],
      },
      names,
    );
    expect(o.appends).toEqual({
      observations: 5,
      regressed: 0,
      shapes: 1,
      example: 'ledger 3: lost, committed [t1], shown []',
    });
    expect(o.faults).toEqual({ windows: report.timeline, runStart: Date.parse(report.startedAt) });
    expect(o.diagnoses).toEqual(['sig']);
    expect(observedIn(report, names).diagnoses).toEqual([]);
  });
});
