import { describe, expect, it } from 'vitest';
import { changedPaths } from './git.ts';
import { entryOf, mergeRecord, parseRecord, RECORD_FORMAT } from './record.ts';
import { entry, MACHINE } from './record.fixture.ts';

const at = (commit: string) => ({ commit, date: `2026-12-05T11:00:00.000Z` });

describe('the record', () => {
  it('keeps who measured what: commit, tree, machine, load at start, runs, median, range, ratio to goal', () => {
    const e = entryOf(
      entry('checker', 'aaa', [1, 2, 3]),
      { commit: 'bbb', clean: false, changes: ['M x.ts'] },
      MACHINE,
    );
    expect(e).toMatchObject({ commit: 'bbb', clean: false, changes: ['M x.ts'], machine: MACHINE });
    expect(e.loadBefore.load).toEqual([0.5, 1, 1.5]);
    expect(e.metrics[0]!.summary).toMatchObject({ n: 3, median: 2, min: 1, max: 3, ratio: 0.2, meets: true });
    expect(entry('checker', 'aaa', [1])).not.toHaveProperty('changes');
  });

  it('begins at the first run, which sets the commit it holds since', () => {
    const r = mergeRecord(null, [entry('checker', 'aaa', [1, 2, 3])], at('aaa'));
    expect(r.format).toBe(RECORD_FORMAT);
    expect(r.since).toEqual(at('aaa'));
    expect(Object.keys(r.measures)).toEqual(['checker']);
  });

  it('merges a partial run: its measures replaced, the others kept with their own commits', () => {
    const first = mergeRecord(null, [entry('checker', 'aaa', [1, 2, 3]), entry('driver', 'aaa', [5, 6, 7])], at('aaa'));
    const second = mergeRecord(first, [entry('driver', 'bbb', [4, 4, 4])], at('bbb'), ['driver', 'checker']);
    expect(second.since).toEqual(at('aaa'));
    expect(second.measures.checker).toEqual(first.measures.checker);
    expect(second.measures.driver!.commit).toBe('bbb');
    expect(second.measures.driver!.metrics[0]!.summary.median).toBe(4);
    // The bench's order, not the order of arrival.
    expect(Object.keys(second.measures)).toEqual(['driver', 'checker']);
  });

  it('keeps the last figures when a later run gives none, and says so; a later figure clears that', () => {
    const good = mergeRecord(null, [entry('reset', 'aaa', [1, 1, 1])], at('aaa'));
    const failed = entry('reset', 'bbb', [], { metrics: [], error: 'stack would not start' });
    const after = mergeRecord(good, [failed], at('bbb'));
    expect(after.measures.reset!.commit).toBe('aaa');
    expect(after.measures.reset!.metrics[0]!.summary.median).toBe(1);
    expect(after.measures.reset!.lastFailure).toMatchObject({ commit: 'bbb', error: 'stack would not start' });
    const unmeasured = entry('reset', 'ccc', []);
    unmeasured.metrics[0]!.note = 'not measured: no reports/vitest-results.json';
    expect(mergeRecord(good, [unmeasured], at('ccc')).measures.reset!.lastFailure!.error).toMatch(/^not measured/);
    const again = mergeRecord(after, [entry('reset', 'ddd', [2, 2, 2])], at('ddd'));
    expect(again.measures.reset).not.toHaveProperty('lastFailure');
    expect(again.measures.reset!.commit).toBe('ddd');
    // With no earlier figure, the failure itself is what the record holds.
    expect(mergeRecord(null, [failed], at('bbb')).measures.reset!.error).toBe('stack would not start');
  });

  it('reads an earlier results file: its revision is the commit only of the measures its last run ran', () => {
    const old = {
      generatedAt: '2026-12-01T20:02:31.000Z',
      machine: { cpus: 2, cpuModel: 'AMD EPYC', memGiB: 24, node: 'v20', gitRev: 'e908b0f', gitDirty: true },
      options: { only: ['reset'] },
      measures: { reset: entry('reset', 'x', [0.9]), probe: entry('probe', 'x', [20]) },
    };
    const r = parseRecord(JSON.stringify(old), 'old.json');
    expect(r.legacy).toBe(true);
    expect(r.measures.reset).toMatchObject({ commit: 'e908b0f', clean: false, machine: { cores: 2 } });
    expect(r.measures.probe).toMatchObject({ commit: null, clean: null, machine: null });
    // A record started over a legacy file begins anew.
    expect(mergeRecord(r, [entry('probe', 'fff', [1])], at('fff')).since).toEqual(at('fff'));
  });

  it('refuses what is not a record, naming the file and the fix', () => {
    expect(() => parseRecord('{', 'a.json')).toThrow(/a\.json is not JSON/);
    expect(() => parseRecord('{"x":1}', 'b.json')).toThrow(/b\.json has no "measures"/);
    expect(() => parseRecord('{"measures":{"m":{}}}', 'c.json')).toThrow(/measure "m" has no "metrics"/);
    expect(() => parseRecord('{"format":"v9","measures":{}}', 'd.json')).toThrow(/"v9", this bench reads/);
    expect(() => parseRecord('{"measures":{}}', 'e.json')).toThrow(/neither a bench record/);
    const r = mergeRecord(null, [entry('checker', 'aaa', [1])], at('aaa'));
    expect(parseRecord(JSON.stringify(r), 'f.json')).toEqual(r);
  });
});

describe('the tree check', () => {
  it("counts every change but the bench's own outputs, renames by their new path", () => {
    const porcelain = [
      ' M bench/record.json',
      ' M harness/check/x.ts',
      '?? new.ts',
      'R  a.ts -> docs/performance.md',
      '',
    ];
    expect(changedPaths(porcelain.join('\n'), ['bench/record.json', 'docs/performance.md'])).toEqual([
      ' M harness/check/x.ts',
      '?? new.ts',
    ]);
    expect(changedPaths(' M bench/record.json\n', ['bench/record.json'])).toEqual([]);
  });
});
