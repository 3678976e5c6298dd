import { describe, expect, it } from 'vitest';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { catalogueTable, CATALOGUE_END, CATALOGUE_START, firstSentence, measured } from './catalogue-table.ts';

describe('the catalogue table', () => {
  const converged = fixtureRun('converged').report;
  const diverged = fixtureRun('diverged').report;

  it('says what each run measured: the time to converge, or the rows in each class', () => {
    const steady = { ...converged.lag.steady!, p99: 1_840 };
    expect(measured({ ...converged, timeToConvergenceMs: 504, lag: { ...converged.lag, steady } })).toBe(
      'converged in 504 ms; lag p99 1.8 s',
    );
    const counts = { ...diverged.anomalies.counts, zombie: 199, stale: 3 };
    const d = measured({
      ...diverged,
      anomalies: { ...diverged.anomalies, counts },
      notes: ['the check ended early at 4.2 s after the heal: every hop drained'],
      regressions: { count: 2, sampledProducts: 50, examples: [] },
    });
    expect(d).toMatch(
      /^diverged: (\d+ missing, )?199 zombie, 3 stale.*; verdict 4.2 s after the heal; 2 products went back/,
    );
  });

  it('one row per scenario between the markers, with the commit and how many ran as expected', () => {
    const run = (scenario: string, result: string) => ({
      scenario,
      file: `scenarios/${scenario}.yaml`,
      healthy: 'Nothing | is lost.',
      result,
      report: converged,
    });
    const t = catalogueTable([run('baseline', 'passed'), run('es-outage', 'failed')], {
      commit: 'abcdef1234',
      clean: true,
      date: '2026-12-06',
      notRun: ['postgres-failover'],
    });
    expect(t).toContain(
      'Not in this run (they need the cluster topology, [the cluster](docs/cluster.md)): `postgres-failover`.',
    );
    expect(t.startsWith(CATALOGUE_START) && t.endsWith(CATALOGUE_END)).toBe(true);
    expect(t).toContain('on `abcdef1`, 2026-12-06, local single stack, 2 cores: 1 of 2 as expected.');
    expect(t).toContain('| [`baseline`](scenarios/baseline.yaml) | Nothing \\| is lost. | converged in');
    expect(
      t
        .split('\n')
        .filter((l) => l.startsWith('| [`'))
        .map((l) => l.slice(-3)),
    ).toEqual(['✔ |', '✘ |']);
  });

  it('takes the first sentence of the healthy text, not a short fragment', () => {
    expect(firstSentence('Nothing is lost. The sink retries (max.retries 30) and so on.')).toBe(
      'Nothing is lost. The sink retries (max.retries 30) and so on.',
    );
    const long =
      'The sink task stays RUNNING: it retries the failed _bulk requests with backoff. Once ES answers, fine.';
    expect(firstSentence(long)).toBe('The sink task stays RUNNING: it retries the failed _bulk requests with backoff.');
    expect(firstSentence('  One line only  ')).toBe('One line only');
  });
});
