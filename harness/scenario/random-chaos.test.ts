import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSchedule, type NemesisEntry } from '../faults/nemesis.ts';
import { FAULT_KINDS, makeFault } from '../faults/registry.ts';
import { ConfigError } from '../util/errors.ts';
import { parseScenario } from './load.ts';
import {
  checkRandomFaults,
  describeSchedule,
  generateSchedule,
  LEAD_MS,
  MIN_DURATION_MS,
  pinnedScenario,
  shrinkSchedule,
  TAIL_MS,
  type RandomFaults,
} from './random-chaos.ts';
import type { FaultStep } from './schema.ts';
import { parse as parseYaml, stringify } from 'yaml';

const ALL_KINDS = FAULT_KINDS.map((k) => k.kind);
const CFG: RandomFaults = {
  count: 4,
  kinds: ['network.down', 'network.latency', 'process.kill@connect', 'connector.restart'],
  maxDurationMs: 6_000,
};
const seedArb = fc.integer({ min: -2_147_483_648, max: 2_147_483_647 });

describe('generateSchedule', () => {
  it('is deterministic: the same seed gives the same schedule', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        expect(generateSchedule(seed, CFG, 20_000)).toEqual(generateSchedule(seed, CFG, 20_000));
      }),
      { numRuns: 50 },
    );
    // Pinned: a change to the generator that changes old seeds' schedules must be deliberate.
    expect(describeSchedule(generateSchedule(7, CFG, 20_000))).toBe(
      '+2.9s network.down on pg for 1.1s; +6.9s network.down on pg for 1.6s; ' +
        '+10.6s network.latency on pg for 1.7s (latency 655, jitter 294, direction upstream); ' +
        '+14.1s network.down on pg for 3.3s',
    );
  });

  it('gives different schedules for different seeds', () => {
    const seen = new Set(Array.from({ length: 20 }, (_, seed) => JSON.stringify(generateSchedule(seed, CFG, 20_000))));
    expect(seen.size).toBeGreaterThan(15);
  });

  it('keeps every fault inside the workload, one per slot, in order, with valid parameters', () => {
    fc.assert(
      fc.property(
        seedArb,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 15_000, max: 60_000 }),
        fc.integer({ min: MIN_DURATION_MS, max: 20_000 }),
        fc.subarray(ALL_KINDS, { minLength: 1 }),
        (seed, count, workloadMs, maxDurationMs, kinds) => {
          const cfg = { count, kinds, maxDurationMs };
          const schedule = generateSchedule(seed, cfg, workloadMs);
          expect(schedule).toHaveLength(count);
          let prevEnd = 0;
          for (const s of schedule) {
            const info = FAULT_KINDS.find((k) => k.kind === s.kind)!;
            expect(kinds).toContain(s.kind);
            expect(info.targets).toContain(s.target);
            expect(s.atMs).toBeGreaterThanOrEqual(LEAD_MS);
            expect(s.atMs).toBeGreaterThanOrEqual(prevEnd);
            if (info.instantaneous) {
              expect(s.durationMs).toBeUndefined();
              expect(s.atMs).toBeLessThanOrEqual(workloadMs - TAIL_MS);
              prevEnd = s.atMs;
            } else {
              expect(s.durationMs).toBeGreaterThanOrEqual(Math.min(1_000, maxDurationMs));
              expect(s.durationMs).toBeLessThanOrEqual(maxDurationMs);
              expect(s.atMs + s.durationMs!).toBeLessThanOrEqual(workloadMs - TAIL_MS);
              prevEnd = s.atMs + s.durationMs!;
            }
          }
          // The registry accepts every step, and the nemesis accepts the schedule.
          const entries: NemesisEntry[] = schedule.map((s, i) => ({
            at: s.atMs,
            duration: s.durationMs,
            fault: makeFault({ kind: s.kind, target: s.target, params: s.params }, `${s.kind}#${i + 1}`),
          }));
          expect(() => checkSchedule(entries)).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps latencies in 50–1500 ms and honours kind@target', () => {
    for (let seed = 0; seed < 100; seed++) {
      for (const s of generateSchedule(
        seed,
        { count: 3, kinds: ['network.latency@es', 'process.kill@connect'], maxDurationMs: 5_000 },
        20_000,
      )) {
        if (s.kind === 'network.latency') {
          expect(s.target).toBe('es');
          expect(s.params.latency).toBeGreaterThanOrEqual(50);
          expect(s.params.latency).toBeLessThanOrEqual(1500);
          expect(s.params.jitter).toBeLessThanOrEqual(s.params.latency as number);
        } else {
          expect(s.target).toBe('connect');
          expect(s.params.downMs).toBeLessThanOrEqual(3_000);
        }
      }
    }
  });

  it('refuses unknown kinds, impossible targets and workloads too short for the faults', () => {
    expect(() => checkRandomFaults({ ...CFG, kinds: ['network.lag'] }, 20_000)).toThrow(ConfigError);
    expect(() => checkRandomFaults({ ...CFG, kinds: ['process.kill@es'] }, 20_000)).toThrow(/cannot hit "es"/);
    expect(() => checkRandomFaults({ ...CFG, count: 10 }, 10_000)).toThrow(/do not fit/);
    expect(() => checkRandomFaults({ ...CFG, kinds: [] }, 20_000)).toThrow(/empty/);
  });
});

describe('scenario files with randomFaults', () => {
  const base = { description: 'd', seed: 3, workload: { duration: '20s' } };
  it('load, and refuse bad kinds or a fixed schedule beside them', () => {
    expect(
      parseScenario({ ...base, randomFaults: { count: 3, kinds: ['network.down'], maxDuration: '4s' } }, 'x.yaml')
        .randomFaults,
    ).toEqual({ count: 3, kinds: ['network.down'], maxDurationMs: 4_000 });
    expect(() => parseScenario({ ...base, randomFaults: { count: 3, kinds: ['network.nope'] } }, 'x.yaml')).toThrow(
      /unknown fault kind/,
    );
    expect(() =>
      parseScenario(
        {
          ...base,
          randomFaults: { count: 3, kinds: ['network.down'] },
          faults: [{ at: '1s', kind: 'network.down', target: 'es' }],
        },
        'x.yaml',
      ),
    ).toThrow(/not both/);
  });

  it('reports a bad operator rule with the other problems', () => {
    expect(() => parseScenario({ ...base, operator: [{ when: 'task-failed', action: 'reboot' }] }, 'x.yaml')).toThrow(
      /operator\[0\]\.action/,
    );
  });

  it('pins a schedule as a scenario file that loads back to the same faults', () => {
    const scenario = parseScenario(
      {
        ...base,
        randomFaults: CFG && { count: 4, kinds: CFG.kinds, maxDuration: '6s' },
        operator: [{ when: 'task-failed', connector: 'sink', action: 'restart-failed-tasks', after: '2s' }],
      },
      'x.yaml',
    );
    const schedule = generateSchedule(3, scenario.randomFaults!, scenario.workload.durationMs);
    const text = stringify(pinnedScenario(scenario, scenario.workload, 3, schedule, 'pinned'));
    const back = parseScenario(parseYaml(text), 'pinned.yaml');
    expect(back.faults).toEqual(schedule);
    expect(back.randomFaults).toBeUndefined();
    expect(back.workload).toEqual(scenario.workload);
    expect(back.operator).toEqual(scenario.operator);
    expect(back.seed).toBe(3);
  });
});

describe('shrinkSchedule', () => {
  const step = (
    atMs: number,
    kind: string,
    target: string,
    durationMs?: number,
    params: Record<string, unknown> = {},
  ): FaultStep => ({ atMs, durationMs, kind, target, params });
  const schedule: FaultStep[] = [
    step(2_000, 'network.latency', 'es', 4_000, { latency: 300 }),
    step(7_000, 'network.down', 'kafka', 4_000),
    step(12_000, 'process.kill', 'connect', undefined, { downMs: 2_000 }),
    step(16_000, 'network.down', 'es', 3_000),
  ];

  it('drops the faults that do not matter and halves the durations that do', async () => {
    // The "pipeline" fails whenever kafka is down for at least 1 s.
    const fails = async (s: FaultStep[]) =>
      s.some((f) => f.kind === 'network.down' && f.target === 'kafka' && (f.durationMs ?? 0) >= 1_000);
    const r = await shrinkSchedule(schedule, fails);
    expect(r.schedule).toEqual([step(7_000, 'network.down', 'kafka', 1_000)]);
    expect(r.exhausted).toBe(false);
  });

  it('halves a kill downtime down to nothing when the kill alone fails', async () => {
    const r = await shrinkSchedule(schedule, async (s) => s.some((f) => f.kind === 'process.kill'));
    expect(r.schedule).toEqual([step(12_000, 'process.kill', 'connect', undefined, { downMs: 0 })]);
  });

  it('keeps two faults that only fail together', async () => {
    const r = await shrinkSchedule(schedule, async (s) => s.filter((f) => f.kind === 'network.down').length === 2);
    expect(r.schedule.map((f) => [f.target, f.durationMs])).toEqual([
      ['kafka', MIN_DURATION_MS],
      ['es', MIN_DURATION_MS],
    ]);
  });

  it('stops at the run cap with a schedule that failed', async () => {
    let runs = 0;
    const r = await shrinkSchedule(schedule, async () => (++runs, true), { maxRuns: 2 });
    expect(runs).toBe(2);
    expect(r.exhausted).toBe(true);
    expect(r.schedule).toHaveLength(2);
  });

  it('returns the original when nothing smaller fails', async () => {
    const r = await shrinkSchedule(schedule, async () => false);
    expect(r.schedule).toEqual(schedule);
    expect(r.runs).toBe(8); // 4 drops + 4 halvings, none kept
  });
});
