import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { draw, type Draw } from '../faults/kind.ts';
import { FAULT_KINDS, makeFault } from '../faults/registry.ts';
import { generateSchedule, paramsArbitrary } from './random-chaos.ts';

/** Whether `v` is a value `d` can give; `params` holds the base of a share. */
function within(d: Draw, v: unknown, params: Record<string, unknown>): boolean {
  switch (d.type) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= d.min && v <= d.max;
    case 'pick':
      return d.values.includes(v as never);
    case 'const':
      return v === d.value;
    case 'oneOf':
      return d.options.some((o) => within(o, v, params));
    case 'share': {
      const base = params[d.of] as number;
      return (
        typeof v === 'number' && v >= Math.floor((base * d.minPct) / 100) && v <= Math.floor((base * d.maxPct) / 100)
      );
    }
  }
}

/** The problems of one step's parameters against its kind's definition; empty when it drew only from it. */
function offDefinition(kind: string, params: Record<string, unknown>): string[] {
  const def = FAULT_KINDS.find((k) => k.kind === kind)!;
  const draws = def.random ?? {};
  const out: string[] = [];
  if (Object.keys(params).join() !== Object.keys(draws).join())
    out.push(`${kind}: drew ${Object.keys(params).join()} instead of ${Object.keys(draws).join()}`);
  for (const [name, d] of Object.entries(draws))
    if (!within(d, params[name], params)) out.push(`${kind}.${name} = ${String(params[name])} is outside its draw`);
  return out;
}

describe("random-chaos's parameters", () => {
  it("come from each kind's definition: its draws, in its ranges, accepted by its validation", () => {
    for (const def of FAULT_KINDS) {
      const target = def.targets.find((t) => !t.includes('@')) ?? def.targets[0]!;
      fc.assert(
        fc.property(paramsArbitrary(def), (params) => {
          expect(offDefinition(def.kind, params)).toEqual([]);
          expect(makeFault({ kind: def.kind, target, ...params }, 'f#1').kind).toBe(def.kind);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('of a whole schedule over every kind come from the definitions only', () => {
    const kinds = FAULT_KINDS.map((k) => k.kind);
    for (let seed = 0; seed < 100; seed++)
      for (const s of generateSchedule(seed, { count: 5, kinds, maxDurationMs: 5_000 }, 40_000))
        expect(offDefinition(s.kind, s.params)).toEqual([]);
  });

  it('follow a changed definition, and a share is drawn from its base', () => {
    const sample = (random: Record<string, Draw>) =>
      fc.sample(paramsArbitrary({ kind: 'network.test', random }), { numRuns: 20, seed: 1 });
    for (const p of sample({ size: draw.int(7, 7), part: draw.share('size', 100, 100), mode: draw.pick('x') }))
      expect(p).toEqual({ size: 7, part: 7, mode: 'x' });
    expect(new Set(sample({ t: draw.oneOf(draw.constant(0), draw.int(5, 6)) }).map((p) => p.t))).toEqual(
      new Set([0, 5, 6]),
    );
    expect(sample({})).toEqual(Array(20).fill({}));
    expect(offDefinition('network.latency', { latency: 10, jitter: 0, direction: 'both' })).toEqual([
      'network.latency.latency = 10 is outside its draw',
    ]);
  });
});
