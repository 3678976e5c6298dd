/**
 * `run --shard i/n`: a deterministic share of the scenarios named (or of the catalogue), so that n CI runners
 * together run each scenario once. Every runner must compute the same split, so it depends only on inputs all
 * runners share: the scenario files, and the timings file when one is given (the same on every runner).
 */
import type { ShardRecord } from '../report/suite/model.ts';
import type { Scenario } from './schema.ts';

export type Shard = Pick<ShardRecord, 'index' | 'count'>;

export const MAX_SHARDS = 64;

/** "2/4" → { index: 2, count: 4 }; undefined when malformed or out of range. */
export function parseShard(v: string): Shard | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
  if (!m) return undefined;
  const [index, count] = [Number(m[1]), Number(m[2])];
  return count >= 1 && count <= MAX_SHARDS && index >= 1 && index <= count ? { index, count } : undefined;
}

/** What a run of a scenario will take at least, from its file alone: the workload and the convergence budget. */
export function plannedMs(s: Scenario): number {
  return s.workload.durationMs + s.budget.convergenceMs;
}

/**
 * Longest first onto the least-loaded shard (ties: the lower index; equal weights: by name), then each shard in
 * the order the names came. Weights are recorded durations where known; the others are their planned length
 * scaled by how recorded runs compare with their plans (runs also reset and start), so both kinds mix fairly.
 */
export function splitShards(
  scenarios: readonly Scenario[],
  count: number,
  recordedMs: ReadonlyMap<string, number> = new Map(),
): Scenario[][] {
  const known = scenarios.filter((s) => recordedMs.has(s.name));
  const ratio = known.length
    ? known.reduce((a, s) => a + recordedMs.get(s.name)!, 0) / known.reduce((a, s) => a + plannedMs(s), 0)
    : 1;
  const weight = (s: Scenario): number => recordedMs.get(s.name) ?? plannedMs(s) * ratio;
  const order = [...scenarios].sort((a, b) => weight(b) - weight(a) || a.name.localeCompare(b.name));
  const loads = new Array<number>(count).fill(0);
  const shardOf = new Map<string, number>();
  for (const s of order) {
    const i = loads.indexOf(Math.min(...loads));
    loads[i]! += weight(s);
    shardOf.set(s.name, i);
  }
  return loads.map((_, i) => scenarios.filter((s) => shardOf.get(s.name) === i));
}

/** The share of `shard`, and the record its suite keeps. */
export function takeShard(
  scenarios: readonly Scenario[],
  shard: Shard,
  recordedMs?: ReadonlyMap<string, number>,
): { scenarios: Scenario[]; record: ShardRecord } {
  const mine = splitShards(scenarios, shard.count, recordedMs)[shard.index - 1]!;
  return {
    scenarios: mine,
    record: { ...shard, of: scenarios.map((s) => s.name), assigned: mine.map((s) => s.name) },
  };
}
