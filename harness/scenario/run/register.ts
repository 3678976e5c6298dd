import {
  checkEngineFeatures,
  dropRunTopics,
  prepareStores,
  registerConnectors,
  resetPipeline,
  resolveSink,
} from '../../pipeline/lifecycle.ts';
import type { PipelineDefinition } from '../../pipeline/definition.ts';
import { hasConnectors } from '../../pipeline/kind.ts';
import { traitsOf } from '../../provider/traits.ts';
import type { RunNames } from '../../pipeline/run-names.ts';
import type { SinkChoice } from '../../pipeline/sink-compat.ts';
import { ConfigError, errorMessage } from '../../util/errors.ts';
import { info, warn } from '../../util/log.ts';
import type { RunContext } from './context.ts';
import { modelledTables, readOwnModels, tablesWorkloadHash } from './own-tables.ts';
import { preload } from './preload.ts';

/** What a reset may remove: everything on a stack of our own, else only this run's connectors. */
export function resetScope(ctx: RunContext): { everything: boolean; connectors: string[] } {
  return { everything: !ctx.plan.scoped, connectors: [ctx.plan.connectors.source, ctx.plan.connectors.sink] };
}

/** The definition as it runs (the sink the worker has in place of the one asked for), and which sink that is. */
export interface Registered {
  def: PipelineDefinition;
  sink: SinkChoice;
  /** A tables run's workload identity, known once the models are read (a products run's is plan.hash). */
  workloadHash?: string;
}

/**
 * Empties the pipeline, creates the stores from the definition, preloads rows, and registers the connectors
 * (the source later, during the workload, for a snapshot-under-load scenario).
 */
export async function registerPipeline(ctx: RunContext): Promise<Registered> {
  const { names } = ctx.plan;
  const ep = ctx.provider.endpoints;
  // A feature the engine lacks, or worker settings the provider cannot set, are refused before the reset.
  await checkEngineFeatures(ep, ctx.plan.def);
  const setWorker = workerSettingsStep(ctx);
  // Which sink runs (a question to the worker) does not depend on the reset: both at once. The new stores
  // are made while Connect still removes the old connectors.
  const resolved = resolveSink(ep, ctx.plan.def);
  const [{ def: resolvedDef, sink }] = await Promise.all([
    resolved,
    resetPipeline(ep, names, resetScope(ctx), ctx.plan.def, async () => {
      const { def } = await resolved;
      await prepareStores(ep, def, names);
      await preload(ep, def, names, ctx.o.scenario.preload);
    }),
  ]);
  // A definition's own tables are read from the catalog schema.sql made; a type with no normaliser stops the run
  // here, before any connector is registered.
  const def = resolvedDef.tables
    ? { ...resolvedDef, tables: await readOwnModels(ep, resolvedDef.tables) }
    : resolvedDef;
  const tables = modelledTables(def);
  const workloadHash = tables && tablesWorkloadHash(ctx.plan.seed, ctx.plan.profile, tables);
  if (tables) info(`  workload ${workloadHash} over tables ${tables.map((t) => t.model.name).join(', ')}`);
  // The workers restart (when their settings change) with no connector of the run on them yet.
  await setWorker();
  // dual-write: the application indexes Elasticsearch itself
  if (hasConnectors(def.pipeline))
    await registerConnectors(ep, def, { source: !ctx.o.scenario.registerDuringWorkload });
  return { def, sink, ...(workloadHash ? { workloadHash } : {}) };
}

/**
 * How the run brings the Connect workers to the definition's `worker:` settings (and a stack that ran another
 * definition's back to its own): checked now, done by the returned step once the reset has removed the old
 * connectors. An external environment's workers are the team's: their settings are assumed, and said to be.
 */
export function workerSettingsStep(ctx: Pick<RunContext, 'plan' | 'provider'>): () => Promise<void> {
  const want = ctx.plan.def.pipeline.worker ?? {};
  const named = Object.entries(want).map(([k, v]) => `${k}=${v}`);
  const p = ctx.provider;
  if (p.setWorkerSettings) {
    const set = p.setWorkerSettings.bind(p);
    return async () => {
      for (const line of await set(want)) info(`  ${line}`);
    };
  }
  if (named.length && !traitsOf(p).reportsWorkerNonStock)
    warn(`the definition's worker settings (${named.join(', ')}) are assumed set on your workers: not checked`);
  else if (named.length)
    throw new ConfigError(
      `${ctx.plan.def.pipeline.file}: worker: settings (${named.join(', ')}) need workers the harness can restart ` +
        `with them; the ${p.kind} provider cannot yet`,
      'run it on a local stack (--provider local)',
    );
  return async () => undefined;
}

/**
 * On a shared environment the run takes away what it made: its connectors, slot, publication, table, index
 * and topics.
 */
export async function removeRunObjects(ctx: RunContext): Promise<void> {
  const ep = ctx.provider.endpoints;
  const names: RunNames = ctx.plan.names;
  const scope = resetScope(ctx);
  try {
    await resetPipeline(ep, names, scope);
    const topics = await dropRunTopics(ep, names);
    info(
      `  removed this run's objects (${scope.connectors.length} connectors, slot, publication,` +
        ` table, index, ${topics.length} topics)`,
    );
  } catch (err) {
    warn(`  could not remove all of this run's objects: ${errorMessage(err)}`);
  }
}
