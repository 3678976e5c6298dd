import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario } from './load.ts';
import type { Scenario } from './schema.ts';
import { parseShard, plannedMs, splitShards, takeShard } from './shard.ts';

const catalogue = listScenarios().map((s) => loadScenario(s.name));
const names = (list: readonly Scenario[]): string[] => list.map((s) => s.name);

describe('parseShard', () => {
  it('reads I/N with 1 ≤ I ≤ N and refuses the rest', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/2', '3/2', '1/0', '2', 'a/b', '1/65', '-1/2', '1.5/2'])
      expect(parseShard(bad), bad).toBe(undefined);
  });
});

describe('splitShards', () => {
  it('gives every scenario of the catalogue to exactly one shard, each shard in catalogue order', () => {
    for (const n of [1, 2, 3, 4, 7, catalogue.length + 3]) {
      const shards = splitShards(catalogue, n);
      expect(shards).toHaveLength(n);
      expect(names(shards.flat()).sort()).toEqual(names(catalogue).sort());
      for (const s of shards) {
        const at = names(s).map((x) => names(catalogue).indexOf(x));
        expect(at).toEqual([...at].sort((a, b) => a - b));
      }
    }
  });

  it('is the same split whatever order the runner listed the files in', () => {
    const shuffled = [...catalogue].reverse();
    const sets = (list: readonly Scenario[]) => splitShards(list, 4).map((s) => names(s).sort());
    expect(sets(shuffled)).toEqual(sets(catalogue));
  });

  it('balances planned length: no shard exceeds the fair share by more than the longest scenario', () => {
    const total = catalogue.reduce((a, s) => a + plannedMs(s), 0);
    const longest = Math.max(...catalogue.map(plannedMs));
    for (const n of [2, 4]) {
      const loads = splitShards(catalogue, n).map((s) => s.reduce((a, x) => a + plannedMs(x), 0));
      for (const l of loads) expect(l).toBeLessThanOrEqual(total / n + longest);
    }
  });

  it('weighs by recorded durations where given, the rest by plan scaled alike', () => {
    const [a, b, c] = catalogue;
    // Recorded: a takes as long as b and c together; the others are planned.
    const recorded = new Map([
      [a!.name, 300_000],
      [b!.name, 150_000],
      [c!.name, 150_000],
    ]);
    const [one, two] = splitShards([a!, b!, c!], 2, recorded);
    expect(names(one!)).toEqual([a!.name]);
    expect(names(two!)).toEqual([b!.name, c!.name]);
  });
});

describe('takeShard', () => {
  it("records the whole split and this shard's share, for report --merge", () => {
    const { scenarios, record } = takeShard(catalogue, { index: 2, count: 3 });
    expect(record.of).toEqual(names(catalogue));
    expect(record.assigned).toEqual(names(scenarios));
    expect(record).toMatchObject({ index: 2, count: 3 });
    expect(scenarios).toEqual(splitShards(catalogue, 3)[1]);
  });
});
