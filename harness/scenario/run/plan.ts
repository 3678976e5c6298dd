import { missingCapabilities, ScenarioSkipped } from '../../faults/capabilities.ts';
import type { NemesisEntry } from '../../faults/nemesis.ts';
import { makeFault } from '../../faults/registry.ts';
import { loadDefinition, pipelineVars, unscopedObjects, type PipelineDefinition } from '../../pipeline/definition.ts';
import { freshRunNames, type RunNames } from '../../pipeline/run-names.ts';
import { sinkTargetIndex } from '../../pipeline/sink-compat.ts';
import { traitsOf } from '../../provider/traits.ts';
import type { Endpoints } from '../../stack/endpoints.ts';
import { ConfigError } from '../../util/errors.ts';
import { workloadHash } from '../../workload/op-hash.ts';
import type { WorkloadProfile } from '../../workload/profile.ts';
import { generateSchedule } from '../random-chaos.ts';
import type { FaultStep } from '../schema.ts';
import type { RunOptions } from './options.ts';

/** Everything a run decides before it changes anything: seed, workload, fault schedule, definition, names. */
export interface RunPlan {
  seed: number;
  profile: WorkloadProfile;
  schedule: FaultStep[];
  entries: NemesisEntry[];
  /** On an environment the harness does not own: every object carries the run's tag. */
  scoped: boolean;
  def: PipelineDefinition;
  names: RunNames;
  connectors: { source: string; sink: string };
  /**
   * Hash of the planned operation sequence: equal across runs of one seed and profile. Null for a definition's
   * own tables until their models are read (tablesWorkloadHash).
   */
  hash: string | null;
}

/**
 * The operations a profile plans to send. The driver may send a few more or fewer (timing), so the run's
 * identity is the hash of this planned prefix of the seeded stream, which never depends on timing.
 */
export function plannedOps(p: WorkloadProfile): number {
  const byRate = p.ratePerSec > 0 ? Math.ceil((p.ratePerSec * p.durationMs) / 1000) : 10_000;
  return p.maxOps > 0 ? Math.min(p.maxOps, byRate) : byRate;
}

/**
 * Builds (and so validates) every fault and checks it against what the provider can inject, before anything
 * changes: a fault it cannot inject skips the scenario. random-chaos takes its schedule from the seed (same
 * seed, same schedule); an explicit one (shrinking) wins over both.
 */
export function planRun(o: RunOptions): RunPlan {
  const { scenario, provider } = o;
  const seed = o.seed ?? scenario.seed;
  const profile = {
    ...scenario.workload,
    ...(o.durationMs ? { durationMs: o.durationMs } : {}),
    ...(o.ratePerSec !== undefined ? { ratePerSec: o.ratePerSec } : {}),
  };
  const schedule =
    o.faults ??
    (scenario.randomFaults ? generateSchedule(seed, scenario.randomFaults, profile.durationMs) : scenario.faults);
  const entries: NemesisEntry[] = schedule.map((f, i) => ({
    at: f.atMs,
    duration: f.durationMs,
    fault: makeFault({ kind: f.kind, target: f.target, params: f.params }, `${f.kind}#${i + 1}`, `faults[${i}]`),
  }));
  const missing = missingCapabilities(
    entries.map((e) => e.fault),
    provider,
  );
  if (scenario.topology === 'cluster' && traitsOf(provider).startsServices && provider.topology !== 'cluster') {
    missing.unshift(
      `it is written for the cluster topology (3 brokers, 2 Connect workers, a Postgres standby); ` +
        `${provider.label} is a single stack (run it with --topology cluster)`,
    );
  }
  if (missing.length) throw new ScenarioSkipped(scenario.name, missing);
  const scoped = !provider.exclusive && !o.allowDestructive;
  const { def, names } = definitionFor(o.connectorsDir, provider.endpoints, scoped);
  if (def.tables) {
    const products = productsOnly(scenario, schedule);
    if (products.length) throw new ScenarioSkipped(scenario.name, products);
  }
  const hash = def.tables ? null : workloadHash(seed, profile, plannedOps(profile));
  return {
    seed,
    profile,
    schedule,
    entries,
    scoped,
    def,
    names,
    connectors: { source: def.source.name, sink: def.sink.name },
    hash,
  };
}

/**
 * What makes a scenario the seed's products table's own, which a definition of its own tables cannot run: rows
 * preloaded into products, statements written for products' columns, a fault aimed at the products topic.
 */
export function productsOnly(scenario: RunOptions['scenario'], schedule: readonly FaultStep[]): string[] {
  const out: string[] = [];
  if (scenario.preload > 0) out.push(`it preloads ${scenario.preload} products rows`);
  if (schedule.some((f) => f.kind === 'postgres.sql'))
    out.push("its statements (postgres.sql) are written for the products table's columns");
  if (schedule.some((f) => f.target.includes(':products'))) out.push('a fault is aimed at the products topic');
  return out.length ? [...out.map((r) => `${r}, not a definition's own tables`)] : [];
}

/**
 * The definition with this run's names filled in. On an environment we own, the definition's own table
 * name is used as it is (a user's definition may hard-code one). On a shared one every object must carry the
 * run's tag, and a definition that names fixed objects is refused: running it would drop and re-create them.
 */
function definitionFor(
  dir: string | undefined,
  ep: Endpoints,
  scoped: boolean,
): { def: PipelineDefinition; names: RunNames } {
  const fresh = freshRunNames(scoped);
  const def = loadDefinition(dir, pipelineVars(ep, fresh));
  // The checker and the observers read the index the sink writes to (a user's sink may not route to ${INDEX}).
  const names = { ...fresh, index: sinkTargetIndex(def.sink.config) ?? fresh.index };
  if (!scoped) return { def, names: { ...names, table: def.table } };
  if (def.tables)
    throw new ConfigError(
      `the pipeline definition in ${def.dir} declares its own tables, which run only on a stack the harness owns ` +
        '(their names are fixed, so a run on a shared environment would drop and re-create them)',
      'run it on a stack of its own (`outbox-chaos up`), or pass --allow-destructive',
    );
  const problems = unscopedObjects(def, names);
  if (problems.length) {
    throw new ConfigError(
      `the pipeline definition in ${def.dir} names objects this run would not own, ` +
        `on an environment the harness does not own:\n  ${problems.join('\n  ')}`,
      'use the placeholders ${TABLE}, ${PUBLICATION} and ${INDEX} as connectors/ does, ' +
        "or pass --allow-destructive to treat the environment as the harness's own",
    );
  }
  const prefixed = (c: PipelineDefinition['source']) => ({ ...c, name: `${names.connectorPrefix}${c.name}` });
  return { def: { ...def, source: prefixed(def.source), sink: prefixed(def.sink) }, names };
}
