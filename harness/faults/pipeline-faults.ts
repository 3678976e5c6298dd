import { withPg } from '../stack/pg.ts';
import { EnvError } from '../util/errors.ts';
import { defineFault } from './define.ts';
import type { Fault, FaultContext } from './fault.ts';

/** Which connector of the pipeline definition a connector fault hits. */
export const CONNECTOR_TARGETS = ['source', 'sink'] as const;
export type ConnectorTarget = (typeof CONNECTOR_TARGETS)[number];

/** Resolves source/sink to its name and fails early when Connect does not know it (pause/stop would not say). */
async function connector(ctx: FaultContext, target: ConnectorTarget, kind: string): Promise<string> {
  const name = ctx.connectors[target];
  if (!(await ctx.connect.status(name))) {
    throw new EnvError(
      `fault ${kind}: Kafka Connect has no connector "${name}" (the ${target})`,
      'is the pipeline registered?',
    );
  }
  return name;
}

/** Resume for heals: a connector Connect does not know (404) has nothing to resume. */
async function resume(ctx: FaultContext, target: ConnectorTarget): Promise<void> {
  const name = ctx.connectors[target];
  if (!(await ctx.connect.status(name))) return;
  await ctx.connect.resume(name);
}

/** POST /connectors/<name>/restart?includeTasks=true: connector and tasks stop and start again. */
export function connectorRestartFault(id: string, target: ConnectorTarget): Fault {
  return defineFault({
    id,
    kind: 'connector.restart',
    target,
    instantaneous: true,
    describe: () => `restart the ${target} connector and its tasks`,
    async inject(ctx) {
      const name = await connector(ctx, target, 'connector.restart');
      await ctx.connect.restart(name, { includeTasks: true, onlyFailed: false });
      return `restarted ${name}`;
    },
    async repair() {
      /* nothing to undo: Connect brings the connector back itself */
    },
  });
}

/** PAUSED: tasks stay assigned but stop polling; heal resumes. */
export function connectorPauseFault(id: string, target: ConnectorTarget): Fault {
  return defineFault({
    id,
    kind: 'connector.pause',
    target,
    describe: () => `pause the ${target} connector`,
    async inject(ctx) {
      await ctx.connect.pause(await connector(ctx, target, 'connector.pause'));
    },
    async repair(ctx) {
      await resume(ctx, target);
    },
  });
}

/** STOPPED (KIP-875): tasks shut down and are released; resume starts them again. */
export function connectorStopFault(id: string, target: ConnectorTarget): Fault {
  return defineFault({
    id,
    kind: 'connector.stop',
    target,
    describe: () => `stop the ${target} connector (tasks released)`,
    async inject(ctx) {
      await ctx.connect.stop(await connector(ctx, target, 'connector.stop'));
    },
    async repair(ctx) {
      await resume(ctx, target);
    },
  });
}

/**
 * Terminates the walsender(s) streaming the connector's slot, over a direct connection (not through the pg
 * proxy): what a Postgres failover, a DBA or wal_sender_timeout does. Debezium has to reconnect.
 */
export function walsenderKillFault(id: string): Fault {
  return defineFault({
    id,
    kind: 'postgres.walsender-kill',
    target: 'postgres',
    instantaneous: true,
    describe: () => "pg_terminate_backend of the replication slot's walsender",
    async inject(ctx) {
      const ep = ctx.endpoints;
      const pids = await withPg(ep, ep.pg.database, async (c) => {
        const r = await c.query<{ pid: number }>(
          'SELECT active_pid AS pid, pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL',
          [ctx.names.slot],
        );
        return r.rows.map((row) => row.pid);
      });
      return pids.length
        ? `terminated walsender pid ${pids.join(', ')} of slot ${ctx.names.slot}`
        : `slot ${ctx.names.slot} had no active walsender`;
    },
    async repair() {
      /* nothing to undo: the connector reconnects (or fails, which is what the run observes) */
    },
  });
}

async function setWriteBlock(ctx: FaultContext, on: boolean): Promise<Response> {
  const url = `${ctx.endpoints.esUrl}/${encodeURIComponent(ctx.names.index)}/_settings`;
  try {
    return await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'index.blocks.write': on }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new EnvError(
      `Elasticsearch at ${ctx.endpoints.esUrl} is unreachable (set index.blocks.write=${on} on ${ctx.names.index}): ${(err as Error).message}`,
    );
  }
}

/**
 * index.blocks.write=true on the run's index, directly at Elasticsearch: searches work, every write gets
 * 403 cluster_block_exception, which sinks tend to treat as non-retriable.
 */
export function esReadOnlyFault(id: string): Fault {
  return defineFault({
    id,
    kind: 'es.read-only',
    target: 'elasticsearch',
    describe: () => 'index write block (index.blocks.write=true)',
    async inject(ctx) {
      const r = await setWriteBlock(ctx, true);
      if (!r.ok)
        throw new EnvError(
          `setting a write block on index ${ctx.names.index} failed (HTTP ${r.status}): ${await r.text()}`,
        );
    },
    async repair(ctx) {
      const r = await setWriteBlock(ctx, false);
      // No index: no block to lift (the fault cannot have set one).
      if (!r.ok && r.status !== 404)
        throw new EnvError(
          `lifting the write block on index ${ctx.names.index} failed (HTTP ${r.status}): ${await r.text()}`,
        );
    },
  });
}
