import { dropRunTopics, prepareStores, registerConnector, resetPipeline } from '../../pipeline/lifecycle.ts';
import type { RunNames } from '../../pipeline/run-names.ts';
import type { Endpoints } from '../../stack/endpoints.ts';
import { withPg } from '../../stack/pg.ts';
import { errorMessage } from '../../util/errors.ts';
import { info, warn } from '../../util/log.ts';
import type { RunContext } from './context.ts';

/** What a reset may remove: everything on a stack of our own, else only this run's connectors. */
export function resetScope(ctx: RunContext): { everything: boolean; connectors: string[] } {
  return { everything: !ctx.plan.scoped, connectors: [ctx.plan.connectors.source, ctx.plan.connectors.sink] };
}

/**
 * Empties the pipeline, creates the stores from the definition, preloads rows, and registers the connectors
 * (the source later, during the workload, for a snapshot-under-load scenario).
 */
export async function registerPipeline(ctx: RunContext): Promise<void> {
  const { def, names } = ctx.plan;
  const ep = ctx.provider.endpoints;
  await resetPipeline(ep, names, resetScope(ctx));
  await prepareStores(ep, def, names);
  await preload(ep, def.table, ctx.o.scenario.preload);
  if (!ctx.o.scenario.registerDuringWorkload) await registerConnector(ep, def.source);
  await registerConnector(ep, def.sink);
}

async function preload(ep: Endpoints, table: string, rows: number): Promise<void> {
  if (rows <= 0) return;
  await withPg(ep, ep.pg.database, (c) =>
    c.query(`INSERT INTO "${table}" (name, description, price) SELECT 'preloaded ' || g, 'row ' || g || ' before the connector existed', (g % 1000) + 0.99 FROM generate_series(1, $1) g`, [rows]),
  );
}

/** On a shared environment the run takes away what it made: its connectors, slot, publication, table, index and topics. */
export async function removeRunObjects(ctx: RunContext): Promise<void> {
  const ep = ctx.provider.endpoints;
  const names: RunNames = ctx.plan.names;
  const scope = resetScope(ctx);
  try {
    await resetPipeline(ep, names, scope);
    const topics = await dropRunTopics(ep, names);
    info(`  removed this run's objects (${scope.connectors.length} connectors, slot, publication, table, index, ${topics.length} topics)`);
  } catch (err) {
    warn(`  could not remove all of this run's objects: ${errorMessage(err)}`);
  }
}
