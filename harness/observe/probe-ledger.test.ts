import { describe, expect, it } from 'vitest';
import { parseProbeName, ProbeLedger, probeName } from './probe-ledger.ts';

describe('ProbeLedger', () => {
  it('gives each newly visible seq its lag from its own ack', () => {
    const l = new ProbeLedger();
    l.acked(1, 1000);
    l.acked(2, 1100);
    l.acked(3, 1200);
    expect(l.observe(0, 1500)).toEqual([]);
    // The poller jumped from nothing to 2: seqs 1 and 2 both became visible now.
    expect(l.observe(2, 1900)).toEqual([
      { t: 1900, kind: 'e2e-lag', seq: 1, lagMs: 900 },
      { t: 1900, kind: 'e2e-lag', seq: 2, lagMs: 800 },
    ]);
    expect(l.observe(2, 1950)).toEqual([]); // seen already: no second sample
    expect(l.observe(3, 2000)).toEqual([{ t: 2000, kind: 'e2e-lag', seq: 3, lagMs: 800 }]);
  });

  it('reports the age of the oldest committed-but-invisible seq, growing while nothing shows', () => {
    const l = new ProbeLedger();
    expect(l.lagAt(500)).toBe(0);
    l.acked(1, 1000);
    l.observe(1, 1400);
    expect(l.lagAt(1400)).toBe(0);
    l.acked(2, 1500);
    l.acked(3, 1600);
    l.observe(1, 1700);
    expect(l.probeSample(1700)).toEqual({ t: 1700, kind: 'probe', committedSeq: 3, visibleSeq: 1, lagMs: 200 });
    expect(l.lagAt(10_000)).toBe(8500); // an outage: lag keeps growing
    l.observe(3, 10_100);
    expect(l.lagAt(10_100)).toBe(0);
    expect(l.caughtUp()).toBe(true);
  });

  it('skips seqs without an ack (written, connection lost, committed anyway)', () => {
    const l = new ProbeLedger();
    l.acked(1, 1000);
    // seq 2 was written but never acknowledged
    l.acked(3, 1200);
    expect(l.observe(3, 1500).map((s) => s.kind === 'e2e-lag' && s.seq)).toEqual([1, 3]);
  });

  it('shows a document that goes back (a stale write) as lag again, without sampling seqs twice', () => {
    const l = new ProbeLedger();
    l.acked(1, 1000);
    l.acked(2, 1100);
    l.observe(1, 1200);
    expect(l.observe(2, 1300)).toHaveLength(1);
    l.acked(3, 1400);
    expect(l.observe(1, 1500)).toEqual([]);
    expect(l.visibleSeq).toBe(1);
    expect(l.lagAt(1500)).toBe(400); // seq 2, acked at 1100, is not visible any more
    expect(l.observe(3, 1600)).toEqual([{ t: 1600, kind: 'e2e-lag', seq: 3, lagMs: 200 }]);
  });

  it('treats a missing document as nothing visible', () => {
    const l = new ProbeLedger();
    l.acked(1, 1000);
    expect(l.observe(0, 1300)).toEqual([]);
    expect(l.lagAt(1300)).toBe(300);
  });
});

describe('probe names', () => {
  it('round-trip for this run only', () => {
    expect(parseProbeName(probeName('ab12', 123), 'ab12')).toBe(123);
    expect(probeName('ab12', 7)).toBe('outbox-chaos probe ab12 7');
    expect(parseProbeName(probeName('other', 123), 'ab12')).toBeUndefined();
    expect(parseProbeName('outbox-chaos probe ab12 12x', 'ab12')).toBeUndefined();
    expect(parseProbeName(undefined, 'ab12')).toBeUndefined();
    expect(parseProbeName('Widget', 'ab12')).toBeUndefined();
  });
});
