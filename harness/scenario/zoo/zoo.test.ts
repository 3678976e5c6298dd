import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureRun } from '../../../test/fixtures/run.ts';
import { PROJECT_ROOT } from '../../record/paths.ts';
import type { RunReport } from '../../record/report.ts';
import { baseFile } from './base.ts';
import { expectsFailure, loadZooEntries, type ZooEntry } from './entries.ts';
import { judgeControl, judgeZoo } from './run.ts';
import { summaryTable, zooSuiteRuns } from './summary.ts';

// No stack: the zoo's entries are well-formed, each really differs from the healthy pipeline, and the zoo's
// judge fails an entry whose bug was not caught as the entry says.

const entries = loadZooEntries();

describe('zoo entries', () => {
  it('has the must-have entries', () => {
    expect(entries.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        'sink-ignores-tombstones',
        'no-tombstones',
        'key-ignore',
        'seed-ddl-toast',
        'publication-without-update',
        'snapshot-no-data',
        'sink-no-retries',
        'dual-write-es-outage',
        'dual-write-flapping-network',
        'outbox-outside-transaction',
        'outbox-no-delete-tombstone',
      ]),
    );
  });

  for (const e of entries) {
    it(`${e.name}: expects a failure and differs from its healthy base in every file it holds`, () => {
      expect(expectsFailure(e.scenario.expect), e.name).toBe(true);
      expect(e.scenario.description.length).toBeGreaterThan(40);
      // The base is the healthy definition of the entry's kind (connectors/, connectors/outbox/); a file the
      // base does not have (pipeline.yaml of a dual-write entry) is a change by itself.
      for (const f of e.changed) {
        const own = readFileSync(join(e.dir, f), 'utf8');
        const healthy = existsSync(baseFile(e.base, f)) ? readFileSync(baseFile(e.base, f), 'utf8') : undefined;
        expect(
          own,
          `${e.name}/${f} is identical to ${relative(PROJECT_ROOT, baseFile(e.base, f))}: drop it, the default applies`,
        ).not.toBe(healthy);
      }
      // One deliberate change: a key or two of one connector config, or the schema. More means the entry's
      // copy drifted from connectors/ (which changed since) and the entry now tests several things at once.
      expect(e.diff.length, `${e.name} differs from connectors/ in: ${e.diff.join('; ')}`).toBeGreaterThan(0);
      expect(e.diff.length, `${e.name} differs from connectors/ in: ${e.diff.join('; ')}`).toBeLessThanOrEqual(2);
      // Short enough for npm test: workload plus a check deadline of max(2 × budget, budget + 10 s).
      const budget = e.scenario.budget.convergenceMs;
      expect(e.scenario.workload.durationMs + Math.max(2 * budget, budget + 10_000)).toBeLessThanOrEqual(40_000);
    });
  }

  it('names each change key by key', () => {
    const diff = (name: string): string[] => entries.find((e) => e.name === name)?.diff ?? [];
    expect(diff('key-ignore')).toEqual(['sink key.ignore=true']);
    expect(diff('upsert-reordering')).toEqual(['sink write.method=upsert', 'sink max.in.flight.requests=5']);
    expect(diff('seed-ddl-toast')).toEqual(['own schema.sql']);
    // Against the healthy definition of the entry's kind; a kind change is one change.
    expect(diff('dual-write-es-outage')).toEqual(['pipeline kind=dual-write']);
    expect(diff('outbox-outside-transaction')).toEqual(['pipeline outbox.write=separate-transaction']);
    expect(diff('outbox-no-delete-tombstone')).toEqual(['pipeline outbox.deletes=last-state']);
  });

  it('an entry departs from the healthy definition its name prefix says, else connectors/', () => {
    const PREFIXES: [string, string][] = [
      ['outbox-', 'connectors/outbox'],
      ['orders-', 'examples/orders'],
      ['partitioned-', 'examples/partitioned'],
      ['heartbeat-', 'examples/heartbeat'],
      ['composite-key-', 'examples/composite-key'],
    ];
    const baseOf = (name: string): string => PREFIXES.find(([p]) => name.startsWith(p))?.[1] ?? 'connectors';
    for (const e of entries) expect(relative(PROJECT_ROOT, e.base), e.name).toBe(baseOf(e.name));
    // The orders entry's one change is counted against examples/orders, not connectors/.
    expect(entries.find((e) => e.name === 'orders-binary-hex')?.diff).toEqual(['source binary.handling.mode=hex']);
    // A table's own mapping: the field whose mapping changed.
    expect(entries.find((e) => e.name === 'orders-jsonb-text')?.diff).toEqual([
      'index customers preferences: {"type":"object","enabled":false}',
    ]);
    expect(entries.find((e) => e.name === 'orders-decimal-precise')?.diff).toEqual([
      'source decimal.handling.mode removed (was string)',
    ]);
    expect(entries.find((e) => e.name === 'heartbeat-without-action-query')?.diff).toEqual([
      'source heartbeat.action.query removed (was INSERT INTO debezium_heartbeat (id, beat) VALUES (1, now()) ON ' +
        'CONFLICT (id) DO UPDATE SET beat = now())',
    ]);
    // The partitioned entries change schema.sql only, against the partitioned definition.
    for (const name of ['partitioned-without-root', 'partitioned-identity-on-parent'])
      expect(entries.find((e) => e.name === name)?.diff, name).toEqual(['own schema.sql']);
  });

  it('entry names are the directory names (the replay command relies on it)', () => {
    for (const e of entries) expect(existsSync(join(e.dir, 'scenario.yaml')) && e.scenario.name === e.name).toBe(true);
  });
});

function entry(over: Partial<ZooEntry['scenario']['expect']> = {}, extra: Partial<ZooEntry['extra']> = {}): ZooEntry {
  const base = entries.find((e) => e.name === 'sink-no-retries')!;
  return {
    ...base,
    scenario: { ...base.scenario, expect: { ...base.scenario.expect, ...over } },
    extra: { ...base.extra, ...extra },
  };
}

function diverged(
  counts: Partial<RunReport['anomalies']['counts']>,
  sinkTask: { state: string; trace?: string },
): RunReport {
  const r = fixtureRun('diverged').report;
  return {
    ...r,
    verdict: 'diverged',
    passed: true,
    anomalies: {
      ...r.anomalies,
      counts: {
        missing: 0,
        zombie: 0,
        stale: 0,
        corrupt: 0,
        duplicate: 0,
        'wrong-id': 0,
        'unexpected-field': 0,
        ...counts,
      },
    },
    connectors: [
      { name: 'product-connector', state: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING' }] },
      { name: 'elasticsearch-sink-connector', state: 'RUNNING', tasks: [{ id: 0, ...sinkTask }] },
    ],
  };
}

describe('judgeZoo', () => {
  const trace =
    'org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask\n' +
    'Caused by: BulkFailedException: giving up';

  it('catches: verdict, every expected class and the failed task', () => {
    const r = diverged({ missing: 3, stale: 2, zombie: 1 }, { state: 'FAILED', trace });
    expect(judgeZoo(entry({ anomalies: ['missing', 'stale'] }, { failedTask: 'sink' }), r)).toEqual({
      caught: true,
      reasons: [],
    });
  });

  it('an expected class that did not show up is not caught (an entry edited to a wrong class fails the zoo)', () => {
    const r = diverged({ missing: 3, stale: 2 }, { state: 'FAILED', trace });
    const j = judgeZoo(entry({ anomalies: ['duplicate'] }, { failedTask: 'sink' }), r);
    expect(j.caught).toBe(false);
    expect(j.reasons).toEqual(['expected duplicate anomalies, saw none']);
  });

  it('a converged run is not caught', () => {
    const r = { ...diverged({}, { state: 'RUNNING' }), verdict: 'converged' as const };
    expect(judgeZoo(entry({ anomalies: [] }, { failedTask: undefined }), r).reasons).toEqual([
      'verdict converged, expected diverged',
    ]);
  });

  it('needs the FAILED task, and its trace, in report.connectors', () => {
    expect(
      judgeZoo(
        entry({ anomalies: ['missing'] }, { failedTask: 'sink' }),
        diverged({ missing: 1 }, { state: 'RUNNING' }),
      ).reasons[0],
    ).toMatch(/expected a FAILED task of elasticsearch-sink-connector, report.connectors shows RUNNING \/ 0: RUNNING/);
    expect(
      judgeZoo(entry({ anomalies: ['missing'] }, { failedTask: 'sink' }), diverged({ missing: 1 }, { state: 'FAILED' }))
        .reasons[0],
    ).toMatch(/no trace/);
  });

  it('an entry with exampleDetail needs an example that names the bug', () => {
    const base = entries.find((e) => e.name === 'adaptive-time-precision')!;
    const r = diverged({ corrupt: 1 }, { state: 'RUNNING' });
    const withDetail = (detail: string): RunReport => ({
      ...r,
      anomalies: {
        ...r.anomalies,
        examples: { ...r.anomalies.examples, corrupt: [{ class: 'corrupt', product_id: 1, pg: null, es: [], detail }] },
      },
    });
    expect(
      judgeZoo(
        base,
        withDetail(
          'equals no committed version (1 version in the history); ' +
            'differs from the row in created_at 1796115967100123 ≠ 1796115967100',
        ),
      ).caught,
    ).toBe(true);
    const miss = judgeZoo(base, withDetail('differs from the row in price "1.00" ≠ "2.00"'));
    expect(miss.caught).toBe(false);
    expect(miss.reasons[0]).toMatch(/no example of corrupt names the bug/);
  });

  it('control runs must converge, and show no regressions where the entry expects some', () => {
    // The watch looked (products watched, successful searches): a "none" from it is evidence.
    const watched = { count: 0, sampledProducts: 50, examples: [], searches: 40, polls: 40 };
    const converged: RunReport = { ...diverged({}, { state: 'RUNNING' }), verdict: 'converged', regressions: watched };
    const regressed: RunReport = { ...converged, regressions: { ...watched, count: 2 } };
    expect(judgeControl(entry(), converged).caught).toBe(true);
    expect(judgeControl(entry(), regressed).caught).toBe(true);
    expect(judgeControl(entry(), diverged({ zombie: 4 }, { state: 'RUNNING' })).reasons[0]).toMatch(
      /healthy pipeline diverged under this scenario \(zombie 4;/,
    );
    const goesBack = entry({ verdict: 'converged', anomalies: [], regressions: 'some' }, { failedTask: undefined });
    expect(judgeControl(goesBack, converged).caught).toBe(true);
    expect(judgeControl(goesBack, regressed).reasons[0]).toMatch(/search users saw 2 product\(s\) go back/);
    expect(judgeZoo(goesBack, regressed).caught).toBe(true);
    expect(judgeZoo(goesBack, converged).reasons).toEqual([
      'expected search users to see a product go back to an older version, saw none',
    ]);
    // A control whose watch never searched successfully proves nothing about regressions.
    const blind: RunReport = { ...converged, regressions: { ...watched, searches: 0 } };
    expect(judgeControl(goesBack, blind).caught).toBe(false);
  });

  it('a control run with controlFailedTask must stop loudly: diverged with that task FAILED, not converged', () => {
    const loud = entry({}, { failedTask: undefined, controlFailedTask: 'sink' });
    expect(judgeControl(loud, diverged({ missing: 3 }, { state: 'FAILED', trace })).caught).toBe(true);
    expect(judgeControl(loud, diverged({ missing: 3 }, { state: 'RUNNING' })).caught).toBe(false);
    const converged: RunReport = { ...diverged({}, { state: 'RUNNING' }), verdict: 'converged' };
    expect(judgeControl(loud, converged).caught).toBe(false);
  });

  it('the summary table names expected and observed per entry', () => {
    const r = diverged({ missing: 3, stale: 2, zombie: 1 }, { state: 'FAILED', trace });
    const e = entry({ anomalies: ['missing', 'stale'] }, { failedTask: 'sink' });
    const table = summaryTable([
      { entry: e, control: false, report: r, runDir: '/tmp/x', wallMs: 31_000, caught: true, reasons: [] },
    ]);
    expect(table).toContain('diverged [missing, stale] + sink task FAILED');
    expect(table).toContain('diverged [missing 3, zombie 1, stale 2]');
    expect(table).toContain('caught');
  });

  it('as a suite: caught is the result, an attempt that did not reproduce never fails it', () => {
    const r = diverged({ zombie: 2 }, { state: 'RUNNING' });
    const e = entry({ anomalies: ['zombie'] }, { failedTask: undefined });
    const attempt = { ...e, extra: { ...e.extra, mustPass: false } };
    const runs = zooSuiteRuns([
      {
        entry: e,
        control: false,
        report: { ...r, passed: false },
        runDir: '/tmp/x',
        wallMs: 1,
        caught: true,
        reasons: [],
      },
      {
        entry: attempt,
        control: false,
        report: r,
        runDir: '/tmp/y',
        wallMs: 1,
        caught: false,
        reasons: ['expected stale'],
      },
    ]);
    expect(runs.map((x) => [x.name, x.passed, x.optional, x.expectedVerdict])).toEqual([
      [e.name, true, false, 'diverged'],
      [e.name, false, true, 'diverged'],
    ]);
  });
});
