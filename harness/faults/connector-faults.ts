import { EnvError } from '../util/errors.ts';
import { defineFault } from './define.ts';
import type { Fault, FaultContext } from './fault.ts';
import type { FaultKind } from './kind.ts';

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

/** The connector family: Connect's REST API on the pipeline's source or sink connector. */
export const CONNECTOR_KINDS: readonly FaultKind[] = [
  {
    kind: 'connector.restart',
    summary: 'Connect REST restart of the connector and its tasks',
    example: { target: 'sink' },
    needs: 'api',
    topology: 'any',
    targets: CONNECTOR_TARGETS,
    params: [],
    instantaneous: true,
    evidence: ['connector-restarted'],
    build: (id, t) => connectorRestartFault(id, t as ConnectorTarget),
  },
  {
    kind: 'connector.pause',
    summary: 'connector PAUSED; heal = resume',
    example: { target: 'source' },
    needs: 'api',
    topology: 'any',
    targets: CONNECTOR_TARGETS,
    params: [],
    instantaneous: false,
    evidence: ['connector-paused'],
    build: (id, t) => connectorPauseFault(id, t as ConnectorTarget),
  },
  {
    kind: 'connector.stop',
    summary: 'connector STOPPED (tasks released); heal = resume',
    example: { target: 'sink' },
    needs: 'api',
    topology: 'any',
    targets: CONNECTOR_TARGETS,
    params: [],
    instantaneous: false,
    evidence: ['connector-stopped'],
    build: (id, t) => connectorStopFault(id, t as ConnectorTarget),
  },
];
