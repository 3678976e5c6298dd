import { describe, expect, it } from 'vitest';
import { betterOf, compareRecords, judge, regressions, renderComparison } from './compare.ts';
import { metric } from './measure.ts';
import { mergeRecord, type BenchRecord, type RecordEntry } from './record.ts';
import { entry } from './record.fixture.ts';

const at = (commit: string) => ({ commit, date: '2026-12-05T11:00:00.000Z' });
const rec = (...entries: RecordEntry[]): BenchRecord => mergeRecord(null, entries, at('x'));

describe('compare', () => {
  it('knows which way is better: the goal says so, else rates are better higher', () => {
    expect(betterOf(metric('a', 'a', 's', [1], { kind: 'max', value: 2 }))).toBe('lower');
    expect(betterOf(metric('a', 'a', 'ops/s', [1], { kind: 'min', value: 2 }))).toBe('higher');
    expect(betterOf(metric('a', 'a', 'events/s', [1]))).toBe('higher');
    expect(betterOf(metric('a', 'a', 'ms/s', [1]))).toBe('lower');
    expect(betterOf(metric('a', 'a', 'MiB', [1]))).toBe('lower');
  });

  it('calls a move a regression only beyond the threshold, in the direction that matters', () => {
    expect(judge(1.19, 'lower', 0.2).verdict).toBe('within noise');
    expect(judge(1.21, 'lower', 0.2).verdict).toBe('regression');
    expect(judge(0.8, 'lower', 0.2).verdict).toBe('improvement');
    expect(judge(0.84, 'lower', 0.2).verdict).toBe('within noise');
    expect(judge(0.8, 'higher', 0.2)).toEqual({ factor: 1.25, verdict: 'regression' });
    expect(judge(1.3, 'higher', 0.2).verdict).toBe('improvement');
    expect(judge(1.3, 'lower', 0.5).verdict).toBe('within noise');
    expect(judge(null, 'lower', 0.2).verdict).toBe('no figure');
  });

  it('gives each figure its ratio to the earlier record, with new and vanished figures and the caveats', () => {
    const before = rec(entry('checker', 'aaa', [1, 1, 1]), entry('driver', 'aaa', [2, 2, 2]));
    const slower = entry('checker', 'bbb', [1.5, 1.5, 1.5], { clean: false, changes: [' M x.ts'] });
    slower.metrics[0]!.load1 = 3.2;
    const now = rec(slower, entry('reset', 'bbb', [1]));
    const rows = compareRecords(before, now);
    expect(rows.map((r) => [r.id, r.verdict])).toEqual([
      ['checker.t', 'regression'],
      ['reset.t', 'new'],
      ['driver.t', 'not measured now'],
    ]);
    expect(rows[0]!.ratio).toBe(1.5);
    expect(rows[0]!.before).toMatchObject({ median: 1, commit: 'aaa', clean: true, load1: 0.5 });
    expect(rows[0]!.caveats).toEqual(['now: DIRTY TREE', 'load 0.5 → 3.2']);
    expect(regressions(rows).map((r) => r.id)).toEqual(['checker.t']);
    // Within the noise with a wider threshold; the same record against itself moves nothing.
    expect(regressions(compareRecords(before, now, 0.6))).toEqual([]);
    expect(compareRecords(before, before).map((r) => r.verdict)).toEqual(['within noise', 'within noise']);
  });

  it('names the machine when it changed, and an earlier figure of unknown commit', () => {
    const before = rec(entry('checker', 'aaa', [1]));
    before.measures.checker!.commit = null;
    const now = rec(entry('checker', 'bbb', [1]));
    now.measures.checker!.machine = { ...now.measures.checker!.machine!, cores: 4 };
    expect(compareRecords(before, now)[0]!.caveats).toEqual([
      'before: commit unknown',
      'another machine (2 → 4 cores)',
    ]);
  });

  it('prints the ratio, the verdict, the threshold and why, and the regressions', () => {
    const rows = compareRecords(rec(entry('checker', 'aaa', [1])), rec(entry('checker', 'bbb', [2])));
    const text = renderComparison(rows, 'old.json', 0.2);
    expect(text).toContain('2.00×');
    expect(text).toContain('REGRESSION: 100 % worse');
    expect(text).toContain('more than 20 % worse or better');
    expect(text).toContain('1 regression(s): checker.t');
    expect(renderComparison([], 'old.json', 0.2)).toContain('no regression beyond the threshold');
  });
});
