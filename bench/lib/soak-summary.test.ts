import { describe, expect, it } from 'vitest';
import { renderSoakTable, summariseSoak, type Footprint, type SoakRun } from './soak-summary.ts';

const fp = (rssMiB: number, fds: number, t = 0): Footprint => ({
  t,
  rssBytes: rssMiB * 2 ** 20,
  heapUsedBytes: 0,
  openFds: fds,
});
const run = (i: number, verdict: SoakRun['verdict'], after: Footprint, passed = verdict === 'converged'): SoakRun => ({
  run: i,
  seed: 100 + i,
  verdict,
  passed,
  reasons: [],
  timeToConvergenceMs: null,
  wallMs: 60_000,
  after,
});

describe('soak summary', () => {
  it('counts verdicts and false alarms, and measures the footprint from the warm-up run to the last', () => {
    const runs = [
      run(1, 'converged', fp(300, 40)),
      run(2, 'converged', fp(320, 41)),
      run(3, 'diverged', fp(310, 40)),
      run(4, 'error', fp(330, 42), false),
    ];
    const s = summariseSoak(runs, [fp(150, 30), fp(400, 45)]);
    expect(s).toMatchObject({
      runs: 4,
      converged: 2,
      diverged: 1,
      errors: 1,
      falseAlarms: 2,
      rssStartBytes: 300 * 2 ** 20,
      rssEndBytes: 330 * 2 ** 20,
      rssMaxBytes: 400 * 2 ** 20,
      rssRatio: 1.1,
      fdsStart: 40,
      fdsEnd: 42,
      fdsMax: 45,
    });
    expect(renderSoakTable(s, 30)).toContain('300 MiB → 330 MiB (400 MiB)');
    expect(
      summariseSoak(
        [
          { ...run(1, 'converged', fp(1, 1), false), reasons: ['✘ saw 3 product(s)'] },
          { ...run(2, 'converged', fp(1, 1), false), reasons: ['✘ saw 1 product(s)'] },
        ],
        [],
      ).reasons,
    ).toEqual({ '✘ saw N product(s)': 2 });
  });

  it('has no trend with fewer than two runs', () => {
    expect(summariseSoak([run(1, 'converged', fp(300, 40))], [])).toMatchObject({ rssRatio: null, rssEndBytes: null });
  });
});
