import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/errors.ts';
import { parseDuration } from './duration.ts';
import { listScenarios, loadScenario, parseScenario } from './load.ts';
import { forPostgres } from './schema.ts';

function problems(raw: unknown): string {
  try {
    parseScenario(raw, 'x.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected the scenario to be refused');
}

describe('scenario files', () => {
  it('every catalogued scenario loads', () => {
    const all = listScenarios();
    expect(all.map((s) => s.name)).toContain('baseline');
    for (const s of all) expect(loadScenario(s.file).name).toBe(s.name);
  });

  it('reads durations, rates and faults', () => {
    const s = parseScenario(
      {
        description: 'd',
        workload: { duration: '20s', rate: 50 },
        faults: [{ at: '5s', for: '3s', kind: 'network.down', target: 'es' }],
        budget: { convergence: '1m' },
      },
      'x.yaml',
    );
    expect(s.workload.durationMs).toBe(20_000);
    expect(s.workload.ratePerSec).toBe(50);
    expect(s.faults).toEqual([{ atMs: 5000, durationMs: 3000, kind: 'network.down', target: 'es', params: {} }]);
    expect(s.budget.convergenceMs).toBe(60_000);
    expect(s.needs).toEqual(['toxiproxy']);
  });

  it('reads expect.minRows (default 10) and refuses a settle window below the floor', () => {
    const base = { description: 'd', workload: { duration: '20s', rate: 50 } };
    expect(parseScenario(base, 'x.yaml').expect.minRows).toBe(10);
    expect(parseScenario({ ...base, expect: { minRows: 500 } }, 'x.yaml').expect.minRows).toBe(500);
    expect(problems({ ...base, expect: { minRows: 0 } })).toMatch(/expect\.minRows: must be a whole number ≥ 1/);
    expect(problems({ ...base, budget: { settle: '0s' } })).toMatch(/budget\.settle: must be at least 1000ms/);
    expect(parseScenario({ ...base, budget: { settle: '1s' } }, 'x.yaml').budget.settleMs).toBe(1000);
  });

  it('reads expect.duplicates: none or some, nothing else; absent by default', () => {
    const base = { description: 'd', workload: { duration: '20s', rate: 50 } };
    expect(parseScenario(base, 'x.yaml').expect.duplicates).toBeUndefined();
    expect(parseScenario({ ...base, expect: { duplicates: 'some' } }, 'x.yaml').expect.duplicates).toBe('some');
    expect(parseScenario({ ...base, expect: { duplicates: 'none' } }, 'x.yaml').expect.duplicates).toBe('none');
    expect(problems({ ...base, expect: { duplicates: 'few' } })).toMatch(
      /expect\.duplicates: must be one of none, some/,
    );
  });

  it('reads watch: all (every product watched) or sample (the default), nothing else', () => {
    const base = { description: 'd', workload: { duration: '20s', rate: 50 } };
    expect(parseScenario(base, 'x.yaml').watch).toBeUndefined();
    expect(parseScenario({ ...base, watch: 'sample' }, 'x.yaml').watch).toBeUndefined();
    expect(parseScenario({ ...base, watch: 'all' }, 'x.yaml').watch).toBe('all');
    expect(problems({ ...base, watch: 'every' })).toMatch(/watch: must be sample .* or all/);
  });

  it('reads expect.fields: document fields carried on purpose, never unexpected-field', () => {
    const base = { description: 'd', workload: { duration: '20s', rate: 50 } };
    expect(parseScenario(base, 'x.yaml').expect.fields).toBeUndefined();
    expect(parseScenario({ ...base, expect: { fields: ['stock'] } }, 'x.yaml').expect.fields).toEqual(['stock']);
    expect(problems({ ...base, expect: { fields: 'stock' } })).toMatch(/expect\.fields: must be a list/);
    expect(problems({ ...base, expect: { fields: [''] } })).toMatch(/expect\.fields: must be a list/);
  });

  it('reads expect.slotLagMb: one bound, a ceiling or a floor in MB', () => {
    const base = { description: 'd', workload: { duration: '20s', rate: 50 } };
    const bound = (slotLagMb: unknown) => parseScenario({ ...base, expect: { slotLagMb } }, 'x.yaml').expect.slotLagMb;
    expect(parseScenario(base, 'x.yaml').expect.slotLagMb).toBeUndefined();
    expect(bound({ max: 32 })).toEqual({ max: 32 });
    expect(bound({ min: 48 })).toEqual({ min: 48 });
    for (const bad of [{ max: 0 }, { max: 1, min: 2 }, { most: 3 }, 32, { max: '32' }])
      expect(problems({ ...base, expect: { slotLagMb: bad } })).toMatch(/expect\.slotLagMb: must be \{ max: MB \}/);
  });

  it('reads expect.fromPostgres: from a major on, another expectation and healthy text', () => {
    const base = { description: 'd', healthy: 'loses data', workload: { duration: '20s', rate: 50 } };
    const s = parseScenario(
      {
        ...base,
        expect: {
          verdict: 'diverged',
          anomalies: ['missing'],
          fromPostgres: { 17: { verdict: 'converged', healthy: 'keeps it' }, 16: { verdict: 'flapped' } },
        },
      },
      'x.yaml',
    );
    const on = (major: number | undefined) => forPostgres(s, major);
    expect([on(undefined), on(15)].map((x) => [x.expect.verdict, x.healthy])).toEqual([
      ['diverged', 'loses data'],
      ['diverged', 'loses data'],
    ]);
    // 16's entry has no healthy text of its own: the scenario's.
    expect([on(16), on(17), on(18)].map((x) => [x.expect.verdict, x.healthy, x.expect.regressions])).toEqual([
      ['flapped', 'loses data', 'any'],
      ['converged', 'keeps it', 'none'],
      ['converged', 'keeps it', 'none'],
    ]);
    expect(on(17).expect.anomalies).toEqual([]);
    expect(problems({ ...base, expect: { fromPostgres: { 13: {} } } })).toMatch(
      /expect\.fromPostgres\.13: no such Postgres major; the ones that exist are 14, 15/,
    );
    expect(problems({ ...base, expect: { fromPostgres: { 17: { verdict: 'fine' } } } })).toMatch(
      /expect\.fromPostgres\.17\.verdict: must be one of/,
    );
    expect(problems({ ...base, expect: { fromPostgres: 17 } })).toMatch(/expect\.fromPostgres: must be a mapping/);
  });

  it('names every bad field at once', () => {
    const msg = problems({
      descripton: 'typo',
      workload: { duration: 'soon', concurrency: 0 },
      faults: [{ for: '2s', kind: 'network.down' }],
      expect: { verdict: 'fine', anomalies: ['lost'] },
    });
    expect(msg).toMatch(/descripton: unknown field/);
    expect(msg).toMatch(/description: is required/);
    expect(msg).toMatch(/faults\[0\]\.at: is required/);
    expect(msg).toMatch(/faults\[0\]\.target: is required/);
    expect(msg).toMatch(/expect\.verdict: must be one of/);
    expect(msg).toMatch(/expect\.anomalies\[0\]: must be one of/);
    expect(msg).toMatch(/workload/);
  });

  it('names the keys the user wrote, and reports an unknown fault kind with the rest', () => {
    const msg = problems({
      description: 'd',
      workload: { rate: 'abc', duration: '-3s' },
      faults: [{ at: '1s', for: '1s', kind: 'network.nope', target: 'es' }],
    });
    expect(msg).toMatch(/workload\.rate: expected a number/);
    expect(msg).toMatch(/workload\.duration: must be a duration like "500ms", "10s" or "2m", got "-3s"/);
    expect(msg).toMatch(/faults\[0\]\.kind must be one of network\.down, .*; got "network\.nope"/);
    expect(msg).not.toMatch(/ratePerSec|durationMs/);
    expect(problems({ description: 'd', workload: { duraton: '1s' } })).toMatch(
      /workload\.duraton: unknown field \(known: rate, duration, /,
    );
    expect(
      problems({ description: 'd', faults: [{ at: '1s', for: '1s', kind: 'network.latency', target: 'es' }] }),
    ).toMatch(/faults\[0\]\.latency/);
  });

  it('refuses a fault that outlasts the workload', () => {
    expect(
      problems({
        description: 'd',
        workload: { duration: '10s' },
        faults: [{ at: '8s', for: '5s', kind: 'network.down', target: 'es' }],
      }),
    ).toMatch(/ends after the workload/);
  });

  it('parses durations', () => {
    expect([
      parseDuration('500ms'),
      parseDuration('2s'),
      parseDuration('1.5s'),
      parseDuration('2m'),
      parseDuration(250),
    ]).toEqual([500, 2000, 1500, 120_000, 250]);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
  });

  it('says which scenarios exist when a name is unknown', () => {
    expect(() => loadScenario('no-such-scenario')).toThrow(/no scenario named "no-such-scenario"/);
  });
});
