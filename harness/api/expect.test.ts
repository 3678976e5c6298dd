import { describe, expect, it } from 'vitest';
import { fixtureRun } from '../../test/fixtures/run.ts';
import { expectConverged, expectPassed, expectVerdict, VerdictError } from './expect.ts';
import { toResult } from './run.ts';

const diverged = () => toResult(fixtureRun('diverged').report, '/p/reports/20250314-es-outage-s42');
const converged = () => toResult({ ...fixtureRun('converged').report, passed: true }, '/p/reports/run-1');

function thrown(f: () => void): VerdictError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(VerdictError);
    return err as VerdictError;
  }
  throw new Error('expected a VerdictError');
}

describe('the API’s assertions', () => {
  it('pass on a converged run', () => {
    const r = converged();
    expect(r.verdict).toBe('converged');
    expect(() => expectConverged(r)).not.toThrow();
    expect(() => expectPassed(r)).not.toThrow();
    expect(() => expectVerdict(r, ['converged', 'converged-late'])).not.toThrow();
  });

  it('fail on a diverged run with a message naming the classes, examples, notes and the report', () => {
    const r = diverged();
    const err = thrown(() => expectConverged(r));
    expect(err.result).toBe(r);
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('scenario "es-outage" did not converge: diverged');
    expect(err.message).toMatch(/anomalies: missing 14, zombie 3, stale 2, corrupt 1, duplicate 1$/m);
    expect(err.message).not.toMatch(/wrong-id/);
    const missing = r.report.anomalies.examples.missing[0];
    expect(err.message).toContain(`missing product ${missing?.product_id}: `);
    expect(err.message).toMatch(/note: sink task es-sink\/0 FAILED/);
    expect(err.message).toContain('report: /p/reports/20250314-es-outage-s42/index.html');
    expect(err.message).toContain(`replay: ${r.report.replay}`);
    expect(lines.every((l) => l.length <= 240)).toBe(true);
    expect(() => expectPassed(r)).toThrow(VerdictError);
    expect(thrown(() => expectVerdict(r, 'converged')).message).toMatch(
      /^scenario "es-outage": verdict diverged, expected converged/,
    );
    expect(() => expectVerdict(r, 'diverged')).not.toThrow();
  });

  it('a converged run that failed its expectation is not converged for expectConverged', () => {
    const r = toResult({ ...fixtureRun('converged').report, passed: false }, '/p/reports/run-2');
    expect(thrown(() => expectConverged(r)).message).toMatch(/converged but failed its expectation/);
  });
});
