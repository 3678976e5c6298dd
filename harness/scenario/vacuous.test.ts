import { describe, expect, it } from 'vitest';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { ANOMALY_CLASSES, type AnomalyClass } from '../record/anomalies.ts';
import { faultWindows, type TimelineEvent } from '../record/timeline.ts';
import { renderJunit } from '../report/junit.ts';
import { headline } from '../report/labels.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { rowFromRun } from '../report/suite/model.ts';
import { judge, observedIn, type Observed } from './judge.ts';
import { vacuousFaults } from './vacuous.ts';

const T0 = 1_700_000_000_000;
const zero = Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, 0])) as Record<AnomalyClass, number>;
const names = { source: 'src', sink: 'sink' };
const expectConverged = { verdict: 'converged', anomalies: [], lagP99Ms: null, regressions: 'any' } as const;

/** An es outage at +5 s for 10 s, with what its fault saw of itself. */
function outage(evidence: { seen: boolean; how: string } | 'none'): TimelineEvent[] {
  const f = { id: 'es-outage#1', fault: 'network.down', target: 'es' };
  return [
    { t: T0 + 5_000, kind: 'fault-start', ...f },
    ...(evidence === 'none'
      ? []
      : [{ t: T0 + 5_010, kind: 'fault-evidence' as const, id: f.id, sign: 'proxy-refused-connections', ...evidence }]),
    { t: T0 + 15_000, kind: 'fault-heal', ...f },
  ];
}

function observed(events: TimelineEvent[]): Observed {
  return {
    verdict: 'converged',
    counts: zero,
    steadyP99: null,
    connectors: [],
    connectorNames: names,
    setupErrors: 0,
    okOps: 100,
    regressions: 0,
    faults: { windows: faultWindows(events, T0 + 60_000), runStart: T0 },
  };
}

describe('a fault must prove it bit', () => {
  it('fails a converged run as vacuous when its fault left no evidence', () => {
    const r = judge(expectConverged, observed(outage('none')));
    expect(r.passed).toBe(false);
    expect(r.reasons).toEqual([
      'vacuous: es-outage#1 (network.down on es) at +5.0 s left no evidence (no proxy-refused-connections: ' +
        'nothing looked for it (connections through the proxy were refused or closed while it was down))',
    ]);
  });

  it('fails it when the sign was looked for and not seen, saying what was seen instead', () => {
    const r = judge(expectConverged, observed(outage({ seen: false, how: 'a connection to es: accepted' })));
    expect(r.passed).toBe(false);
    expect(r.reasons[0]).toContain('no proxy-refused-connections: a connection to es: accepted');
  });

  it('passes the same run when the fault showed its evidence', () => {
    const r = judge(expectConverged, observed(outage({ seen: true, how: 'a connection to es: refused' })));
    expect(r).toEqual({ passed: true, reasons: [] });
  });

  it('needs every declared sign, takes evidence recorded just after the heal, and skips unknown kinds', () => {
    const kill = { id: 'k', fault: 'process.kill', target: 'connect' };
    const events: TimelineEvent[] = [
      { t: T0 + 1_000, kind: 'fault-start', ...kill },
      { t: T0 + 2_000, kind: 'fault-heal', ...kill },
      { t: T0 + 2_500, kind: 'fault-evidence', id: 'k', sign: 'pid-replaced', seen: true, how: 'pid 1 gone' },
      { t: T0 + 3_000, kind: 'fault-start', id: 'old', fault: 'es-outage', target: 'es' },
    ];
    expect(vacuousFaults(faultWindows(events, T0 + 9_000))).toEqual([]);
  });

  it('keeps a sign seen once as seen, whatever a later look found', () => {
    const f = { id: 'p', fault: 'connector.pause', target: 'sink' };
    const events: TimelineEvent[] = [
      { t: T0, kind: 'fault-start', ...f },
      { t: T0 + 1, kind: 'fault-evidence', id: 'p', sign: 'connector-paused', seen: true, how: 'PAUSED' },
      { t: T0 + 2, kind: 'fault-evidence', id: 'p', sign: 'connector-paused', seen: false, how: 'RUNNING' },
      { t: T0 + 3, kind: 'fault-heal', ...f },
    ];
    const [w] = faultWindows(events, T0 + 10);
    expect(w?.evidence).toEqual([{ sign: 'connector-paused', seen: true, how: 'PAUSED' }]);
  });

  it('shows a vacuous run as such in the headline, report.md, junit and the suite row', () => {
    const { report } = fixtureRun('converged');
    const vacuous = [
      {
        id: 'es-outage#1',
        fault: 'network.down',
        target: 'es',
        missing: [{ sign: 'proxy-refused-connections', how: 'x' }],
      },
    ];
    const r = { ...report, passed: false, vacuous };
    expect(headline(r)).toContain('vacuous: es-outage#1 left no evidence');
    expect(renderMarkdown(r)).toContain('FAIL (vacuous: es-outage#1 left no evidence)');
    expect(renderJunit(r)).toContain('type="vacuous"');
    expect(rowFromRun({ report: r, runDir: '/tmp/x' }, '/tmp').vacuous).toEqual(['es-outage#1']);
  });

  it('re-judges a recorded report by its fault windows (the zoo)', () => {
    const { report } = fixtureRun('converged');
    const timeline = faultWindows(outage('none'), T0 + 60_000);
    const o = observedIn({ ...report, startedAt: new Date(T0).toISOString(), timeline }, names);
    expect(judge(expectConverged, { ...o, verdict: 'converged' }).reasons.join('\n')).toMatch(
      /^vacuous: es-outage#1 \(network\.down on es\) at \+5\.0 s/m,
    );
  });
});
