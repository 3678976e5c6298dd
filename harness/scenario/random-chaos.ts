/**
 * random-chaos: a fault schedule generated from the run's seed, and the shrinking of a failing one.
 *
 * The schedule is a pure function of (seed, scenario.randomFaults, workload duration): the same seed always
 * gives the same schedule, so `run random-chaos --seed N` replays it exactly. Faults take turns: the fault
 * window (the workload minus a quiet lead-in and tail) is cut into `count` equal slots and each fault starts
 * and heals inside its own slot, so one fault's recovery is visible before the next one starts, two process
 * faults never hit the same service at once, and every timed fault heals before the workload ends.
 */
import fc from 'fast-check';
import { FAULT_KINDS, type FaultKind } from '../faults/registry.ts';
import type { Draw } from '../faults/kind.ts';
import { isClusterTarget } from '../stack/targets.ts';
import { ConfigError } from '../util/errors.ts';
import { seededRandom } from '../workload/rng.ts';
import type { WorkloadProfile } from '../workload/profile.ts';
import { formatDuration } from './duration.ts';
import type { FaultStep, Scenario } from './schema.ts';

export type RandomFaults = NonNullable<Scenario['randomFaults']>;

/** Quiet time after the workload starts before the first fault: the pipeline is seen flowing first. */
export const LEAD_MS = 2_000;
/** Quiet time between the last fault's end and the workload's end. */
export const TAIL_MS = 2_000;
/** Shortest timed fault; also the floor when shrinking halves durations. */
export const MIN_DURATION_MS = 500;
/** A slot shorter than this cannot hold a meaningful fault. */
const MIN_SLOT_MS = 1_500;

type Params = Record<string, number | string>;

const int = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min, max });

function drawArbitrary(d: Draw, kind: string): fc.Arbitrary<number | string> {
  switch (d.type) {
    case 'int':
      return int(d.min, d.max);
    case 'pick':
      return fc.constantFrom(...d.values);
    case 'const':
      return fc.constant(d.value);
    case 'oneOf':
      return fc.oneof(...d.options.map((o) => drawArbitrary(o, kind)));
    case 'share':
      throw new Error(`${kind}: a share of another parameter can only be drawn at the top level`);
  }
}

/**
 * The parameters of one kind as its definition's `random` says (strong enough to hurt, inside what a real
 * network or an operator does): one record in the definition's order, a share computed from its base after
 * the draw. Kinds without draws get no parameters (their defaults).
 */
export function paramsArbitrary(def: Pick<FaultKind, 'kind' | 'random'>): fc.Arbitrary<Params> {
  const draws = Object.entries(def.random ?? {});
  if (draws.length === 0) return fc.constant({});
  const model: Record<string, fc.Arbitrary<number | string>> = {};
  for (const [name, d] of draws)
    model[name] = d.type === 'share' ? int(d.minPct, d.maxPct) : drawArbitrary(d, def.kind);
  return fc.record(model).map((raw) => {
    const out: Params = {};
    for (const [name, d] of draws)
      out[name] = d.type === 'share' ? Math.floor(((raw[d.of] as number) * (raw[name] as number)) / 100) : raw[name]!;
    return out;
  });
}

interface KindChoice {
  kind: string;
  targets: readonly string[];
  instantaneous: boolean;
  params: fc.Arbitrary<Params>;
}

/**
 * `randomFaults.kinds` entries are a kind (any of its targets) or `kind@target` (only that target), e.g.
 * `network.down`, `process.kill@connect`. Repeating an entry makes it likelier.
 */
export function resolveKinds(kinds: readonly string[], field = 'randomFaults.kinds'): KindChoice[] {
  if (kinds.length === 0)
    throw new ConfigError(
      `${field} is empty: name at least one fault kind`,
      'run `outbox-chaos list --faults` for the kinds',
    );
  return kinds.map((entry, i) => {
    // The target may carry a cluster role of its own: process.kill@kafka@leader-of:products.
    const at = entry.indexOf('@');
    const kind = at < 0 ? entry : entry.slice(0, at);
    const target = at < 0 ? undefined : entry.slice(at + 1);
    const info = FAULT_KINDS.find((k) => k.kind === kind);
    if (!info)
      throw new ConfigError(
        `${field}[${i}]: unknown fault kind "${kind}" (known: ${FAULT_KINDS.map((k) => k.kind).join(', ')})`,
        'run `outbox-chaos list --faults`',
      );
    if (target !== undefined && !info.targets.includes(target)) {
      throw new ConfigError(`${field}[${i}]: ${kind} cannot hit "${target}" (targets: ${info.targets.join(', ')})`);
    }
    const required = info.params.filter((p) => p.required).map((p) => p.name);
    const drawn = Object.keys(info.random ?? {});
    const undrawn = required.filter((name) => !drawn.includes(name));
    if (undrawn.length)
      throw new ConfigError(`${field}[${i}]: random-chaos does not know how to choose ${kind}'s ${undrawn.join(', ')}`);
    // A bare kind draws among the targets every stack has (a cluster's roles only when named, or when the kind
    // has no other: process.replace), so old seeds keep their schedules.
    const plain = info.targets.filter((t) => !isClusterTarget(t));
    return {
      kind,
      targets: target !== undefined ? [target] : plain.length ? plain : info.targets,
      instantaneous: info.instantaneous,
      params: paramsArbitrary(info),
    };
  });
}

/** The fault window and its slots for a workload of `workloadMs`; throws when `count` faults do not fit. */
export function slotsFor(cfg: RandomFaults, workloadMs: number): { startMs: number; slotMs: number } {
  const windowMs = workloadMs - LEAD_MS - TAIL_MS;
  const slotMs = Math.floor(windowMs / cfg.count);
  if (!Number.isInteger(cfg.count) || cfg.count < 1 || slotMs < MIN_SLOT_MS) {
    throw new ConfigError(
      `randomFaults: ${cfg.count} faults do not fit in a ${formatDuration(workloadMs)} workload ` +
        `(each needs ${formatDuration(MIN_SLOT_MS)}, plus ${formatDuration(LEAD_MS)} lead-in ` +
        `and ${formatDuration(TAIL_MS)} tail)`,
      'lower randomFaults.count or lengthen workload.duration',
    );
  }
  return { startMs: LEAD_MS, slotMs };
}

/** Checks a randomFaults block against a workload before anything runs (kinds, targets, fit). */
export function checkRandomFaults(cfg: RandomFaults, workloadMs: number): void {
  resolveKinds(cfg.kinds);
  slotsFor(cfg, workloadMs);
  if (!(cfg.maxDurationMs >= MIN_DURATION_MS))
    throw new ConfigError(
      `randomFaults.maxDuration must be at least ${formatDuration(MIN_DURATION_MS)}, got ${cfg.maxDurationMs} ms`,
    );
}

/**
 * The schedule as a fast-check arbitrary. Every step satisfies the invariants by construction (a mapped
 * value, not a filter), so any value it can produce is a valid schedule.
 */
export function scheduleArbitrary(cfg: RandomFaults, workloadMs: number): fc.Arbitrary<FaultStep[]> {
  const choices = resolveKinds(cfg.kinds);
  const { startMs, slotMs } = slotsFor(cfg, workloadMs);
  const maxDur = Math.max(MIN_DURATION_MS, Math.min(cfg.maxDurationMs, slotMs));
  const step = (slot: number): fc.Arbitrary<FaultStep> =>
    fc.constantFrom(...choices).chain((c) =>
      fc
        .record({
          target: fc.constantFrom(...c.targets),
          // Where in its slot the fault starts, in ‰ of the room the duration leaves.
          posPermille: int(0, 1000),
          durationMs: int(Math.min(1_000, maxDur), maxDur),
          params: c.params,
        })
        .map(({ target, posPermille, durationMs, params }): FaultStep => {
          const slotStart = startMs + slot * slotMs;
          // An instantaneous fault (a kill, a restart) starts in the first half of its slot: it takes time too.
          const room = c.instantaneous ? Math.floor(slotMs / 2) : slotMs - durationMs;
          const atMs = slotStart + Math.floor((room * posPermille) / 1000);
          return c.instantaneous
            ? { atMs, kind: c.kind, target, params }
            : { atMs, durationMs, kind: c.kind, target, params };
        }),
    );
  return fc.tuple(...Array.from({ length: cfg.count }, (_, i) => step(i)));
}

/** The schedule for `seed`: the same seed, config and workload duration always give the same schedule. */
export function generateSchedule(seed: number, cfg: RandomFaults, workloadMs: number): FaultStep[] {
  // A stream of its own (not the workload's), so changing the workload never changes the schedule.
  const mrng = seededRandom(seed ^ 0x5eed_c4a0);
  return scheduleArbitrary(cfg, workloadMs).generate(mrng, undefined).value;
}

function paramText(params: Record<string, unknown>): string {
  const e = Object.entries(params);
  return e.length ? ` (${e.map(([k, v]) => `${k} ${String(v)}`).join(', ')})` : '';
}

/** One line per step, e.g. "+3.2s network.down on es for 4.1s". */
export function describeStep(s: FaultStep): string {
  const at = `+${(s.atMs / 1000).toFixed(1)}s`;
  const dur = s.durationMs !== undefined ? ` for ${(s.durationMs / 1000).toFixed(1)}s` : '';
  return `${at} ${s.kind} on ${s.target}${dur}${paramText(s.params)}`;
}

export function describeSchedule(schedule: readonly FaultStep[]): string {
  return schedule.length ? schedule.map(describeStep).join('; ') : 'no faults';
}

/** The steps as the `faults:` list of a scenario file. */
export function faultsYaml(schedule: readonly FaultStep[]): Record<string, unknown>[] {
  return schedule.map((s) => ({
    at: formatDuration(s.atMs),
    ...(s.durationMs !== undefined ? { for: formatDuration(s.durationMs) } : {}),
    kind: s.kind,
    target: s.target,
    ...s.params,
  }));
}

/**
 * A scenario file that replays one run exactly with an explicit schedule (no randomFaults), e.g. the
 * smallest failing schedule a shrink found: `outbox-chaos run <this file>`.
 */
export function pinnedScenario(
  scenario: Scenario,
  profile: WorkloadProfile,
  seed: number,
  schedule: readonly FaultStep[],
  note: string,
): Record<string, unknown> {
  return {
    name: scenario.name,
    description: `${scenario.description} [${note}]`,
    seed,
    workload: profile,
    faults: faultsYaml(schedule),
    budget: {
      convergence: formatDuration(scenario.budget.convergenceMs),
      ...(scenario.budget.lagP99Ms !== null ? { lagP99: formatDuration(scenario.budget.lagP99Ms) } : {}),
    },
    expect: { verdict: scenario.expect.verdict, anomalies: scenario.expect.anomalies, healthy: scenario.healthy },
    ...(scenario.operator.length
      ? {
          operator: scenario.operator.map((r) => ({
            when: r.when,
            connector: r.connector,
            action: r.action,
            after: formatDuration(r.afterMs),
          })),
        }
      : {}),
    ...(scenario.preload ? { preload: scenario.preload } : {}),
    ...(scenario.registerDuringWorkload ? { registerDuringWorkload: true } : {}),
    ...(scenario.watch ? { watch: scenario.watch } : {}),
  };
}

export interface ShrinkResult {
  /** The smallest schedule seen failing (the original when nothing smaller failed). */
  schedule: FaultStep[];
  /** Re-runs spent (the original failing run not counted). */
  runs: number;
  /** Whether the run cap stopped the search before it was done. */
  exhausted: boolean;
}

/**
 * Delta debugging on a failing schedule: first drop whole faults (one at a time, keeping every drop that
 * still fails), then halve the durations of the remaining timed faults (down to MIN_DURATION_MS) and the
 * downtime of kills, keeping every halving that still fails. `fails` re-runs the scenario with a schedule;
 * each candidate runs once, so a flaky failure can end the search early (the result is still a failing
 * schedule). At most `maxRuns` re-runs.
 */
export async function shrinkSchedule(
  schedule: readonly FaultStep[],
  fails: (s: FaultStep[]) => Promise<boolean>,
  opts: { maxRuns?: number; log?: (line: string) => void } = {},
): Promise<ShrinkResult> {
  const maxRuns = opts.maxRuns ?? 12;
  let current = schedule.map((s) => ({ ...s, params: { ...s.params } }));
  let runs = 0;
  const attempt = async (candidate: FaultStep[], what: string): Promise<boolean | undefined> => {
    if (runs >= maxRuns) return undefined;
    runs++;
    opts.log?.(`shrink ${runs}/${maxRuns}: ${what} → ${describeSchedule(candidate)}`);
    const failed = await fails(candidate);
    opts.log?.(`shrink ${runs}/${maxRuns}: ${failed ? 'still fails, kept' : 'passes, reverted'}`);
    return failed;
  };

  // 1. Drop faults, last to first (a late fault is the likeliest to be irrelevant to an earlier failure).
  for (let i = current.length - 1; i >= 0 && current.length > 1; i--) {
    const candidate = current.filter((_, j) => j !== i);
    const r = await attempt(candidate, `drop ${describeStep(current[i]!)}`);
    if (r === undefined) return { schedule: current, runs, exhausted: true };
    if (r) current = candidate;
  }
  // 2. Halve durations (and kill downtimes) while the run still fails.
  for (let i = 0; i < current.length; i++) {
    for (;;) {
      const s = current[i]!;
      const downMs = typeof s.params.downMs === 'number' ? s.params.downMs : undefined;
      let next: FaultStep | undefined;
      if (s.durationMs !== undefined && s.durationMs > MIN_DURATION_MS)
        next = { ...s, durationMs: Math.max(MIN_DURATION_MS, Math.floor(s.durationMs / 2)) };
      else if (downMs !== undefined && downMs > 0)
        next = { ...s, params: { ...s.params, downMs: downMs >= 200 ? Math.floor(downMs / 2) : 0 } };
      if (!next) break;
      const candidate = current.map((x, j) => (j === i ? next : x));
      const r = await attempt(candidate, `halve ${describeStep(s)}`);
      if (r === undefined) return { schedule: current, runs, exhausted: true };
      if (!r) break;
      current = candidate;
    }
  }
  return { schedule: current, runs, exhausted: false };
}
