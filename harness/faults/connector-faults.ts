import type { ConnectorOffset } from '../connect/client.ts';
import { taskHolders } from '../stack/task-holders.ts';
import { EnvError } from '../util/errors.ts';
import { defineFault } from './define.ts';
import { connectorIn, pollFor, witness, within } from './evidence.ts';
import type { Fault, FaultContext } from './fault.ts';
import type { Evidence, FaultKind } from './kind.ts';

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

/**
 * Polls Connect's status every `everyMs` until the connector is in `state` (connectorIn) or `ms` have passed:
 * whether it got there, and the last status line read.
 */
async function untilState(
  ctx: FaultContext,
  name: string,
  state: 'STOPPED' | 'RUNNING',
  everyMs: number,
  ms: number,
): Promise<{ reached: boolean; line: string }> {
  let line = 'no status read';
  const reached = await pollFor(
    async () => {
      const r = connectorIn(await ctx.connect.status(name), state);
      line = r.line;
      return r.yes ? true : undefined;
    },
    { everyMs, until: within(ms) },
  );
  return { reached: reached === true, line };
}

/**
 * Watches a connector from the moment the fault acted until `stop()` for every task in `state` (connector
 * STOPPED with no tasks, for STOPPED): the witness says when it was first seen so, or the last status.
 */
function watchState(
  ctx: FaultContext,
  id: string,
  name: string,
  sign: Evidence,
  state: 'PAUSED' | 'STOPPED',
): () => Promise<void> {
  let stopped = false;
  const t0 = Date.now();
  let last = 'no status read';
  const found = pollFor(
    async () => {
      const r = connectorIn(await ctx.connect.status(name), state);
      last = r.line;
      return r.yes ? `${name}: ${r.line}, ${Date.now() - t0} ms after the call` : undefined;
    },
    { everyMs: 250, until: () => stopped },
  );
  return async () => {
    stopped = true;
    const how = await found;
    witness(ctx, id, sign, how !== undefined, how ?? `${name} never reported ${state} while the fault lasted: ${last}`);
  };
}

/**
 * Who does a connector's work right now, as the services it talks to see it: the sink's consumers (their group
 * member ids) or the source's replication connection (the walsender streaming the run's slot). A task that was
 * restarted comes back as a new consumer or a new connection, also when its RESTARTING state was too brief
 * to be seen in Connect's status. Undefined when it cannot be read.
 */
async function workerIdentity(ctx: FaultContext, target: ConnectorTarget, name: string): Promise<string | undefined> {
  const of = target === 'sink' ? { group: `connect-${name}` } : { slot: ctx.names.slot };
  const held = await taskHolders(ctx.endpoints, of);
  if (!held?.length) return undefined;
  return target === 'sink' ? `consumer ${held.join(', ')}` : `walsender ${held[0]}`;
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
      const before = await workerIdentity(ctx, target, name);
      const t0 = Date.now();
      await ctx.connect.restart(name, { includeTasks: true, onlyFailed: false });
      // A restart shows as the connector or its tasks leaving RUNNING (RESTARTING, UNASSIGNED), then all
      // RUNNING again; a loaded worker may take seconds before it acts on the request.
      const left = await pollFor(
        async () => {
          const st = await ctx.connect.status(name);
          if (st && st.connector.state !== 'RUNNING')
            return `connector ${st.connector.state} ${Date.now() - t0} ms after the call`;
          const t = st?.tasks.find((x) => x.state !== 'RUNNING');
          return t ? `task ${t.id} ${t.state} ${Date.now() - t0} ms after the call` : undefined;
        },
        { everyMs: 50, until: within(15_000) },
      );
      const running = await untilState(ctx, name, 'RUNNING', 250, 30_000);
      const back = running.reached ? `${running.line} ${Date.now() - t0} ms after it` : undefined;
      // Seen RUNNING throughout (a quick restart between two polls): a new consumer or connection proves it too.
      let after: string | undefined;
      const renewed =
        left === undefined && before !== undefined
          ? await pollFor(
              async () => {
                after = await workerIdentity(ctx, target, name);
                return after !== undefined && after !== before ? `${before} replaced by ${after}` : undefined;
              },
              { everyMs: 250, until: within(15_000) },
            )
          : undefined;
      const how =
        left ??
        renewed ??
        `neither the connector nor a task left RUNNING within 15 s of the call, ` +
          (before === undefined ? 'and who ran it could not be read' : `and ${before} was still ${after ?? '?'}`);
      witness(
        ctx,
        id,
        'connector-restarted',
        (left ?? renewed) !== undefined && back !== undefined,
        `${name}: ${how}; ${back ?? `not RUNNING again within 30 s (${running.line})`}`,
      );
      return `restarted ${name}`;
    },
    async repair() {
      /* nothing to undo: Connect brings the connector back itself */
    },
  });
}

/** PAUSED: tasks stay assigned but stop polling; heal resumes. */
export function connectorPauseFault(id: string, target: ConnectorTarget): Fault {
  let proved: (() => Promise<void>) | undefined;
  return defineFault({
    id,
    kind: 'connector.pause',
    target,
    describe: () => `pause the ${target} connector`,
    async inject(ctx) {
      const name = await connector(ctx, target, 'connector.pause');
      await ctx.connect.pause(name);
      proved = watchState(ctx, id, name, 'connector-paused', 'PAUSED');
    },
    async repair(ctx) {
      await proved?.();
      proved = undefined;
      await resume(ctx, target);
    },
  });
}

/** STOPPED (KIP-875): tasks shut down and are released; resume starts them again. */
export function connectorStopFault(id: string, target: ConnectorTarget): Fault {
  let proved: (() => Promise<void>) | undefined;
  return defineFault({
    id,
    kind: 'connector.stop',
    target,
    describe: () => `stop the ${target} connector (tasks released)`,
    async inject(ctx) {
      const name = await connector(ctx, target, 'connector.stop');
      await ctx.connect.stop(name);
      proved = watchState(ctx, id, name, 'connector-stopped', 'STOPPED');
    },
    async repair(ctx) {
      await proved?.();
      proved = undefined;
      await resume(ctx, target);
    },
  });
}

/**
 * What an operator does to re-read a topic or re-capture a table (KIP-875): stop the connector, delete its
 * committed offsets, resume. The sink then reads its topics from the earliest offset (a re-index: every change
 * is delivered again, in order); the source has no position, so Debezium starts as on first registration
 * (snapshot.mode decides). The replay is the fault: what the index does with changes it already applied.
 */
export function connectorResetOffsetsFault(id: string, target: ConnectorTarget): Fault {
  return defineFault({
    id,
    kind: 'connector.reset-offsets',
    target,
    instantaneous: true,
    describe: () => `reset the ${target} connector's offsets (stop, delete offsets, resume)`,
    async inject(ctx) {
      const name = await connector(ctx, target, 'connector.reset-offsets');
      const t0 = Date.now();
      await ctx.connect.stop(name);
      // Offsets can be changed only once the connector is STOPPED and its tasks are gone.
      const stopped = await untilState(ctx, name, 'STOPPED', 100, 60_000);
      if (!stopped.reached) {
        await ctx.connect.resume(name);
        throw new EnvError(
          `fault connector.reset-offsets: ${name} did not reach STOPPED within 60 s (${stopped.line})`,
        );
      }
      const before = await ctx.connect.offsets(name);
      await ctx.connect.deleteOffsets(name);
      const after = await ctx.connect.offsets(name);
      await ctx.connect.resume(name);
      const running = await untilState(ctx, name, 'RUNNING', 250, 60_000);
      const back = running.reached ? `RUNNING ${Date.now() - t0} ms after the stop` : undefined;
      const how =
        `${name}: ${before.length} offset entr${before.length === 1 ? 'y' : 'ies'} before the reset ` +
        `(${offsetsLine(before)}), ${after.length} after; ` +
        (back ?? `not RUNNING again within 60 s (${running.line})`);
      witness(ctx, id, 'offsets-reset', before.length > 0 && after.length === 0 && back !== undefined, how);
      return `reset the offsets of ${name}`;
    },
    async repair() {
      /* nothing to undo: the connector was resumed by the fault itself */
    },
  });
}

/** A short rendering of committed offsets for the evidence line: `products-0 @ 1234`, or Debezium's lsn. */
function offsetsLine(offsets: ConnectorOffset[]): string {
  return offsets
    .slice(0, 3)
    .map(({ partition: p, offset: o }) => {
      if ('kafka_topic' in p)
        return `${String(p['kafka_topic'])}-${String(p['kafka_partition'])} @ ${String(o['kafka_offset'])}`;
      return 'lsn' in o ? `lsn ${String(o['lsn'])}` : JSON.stringify(o).slice(0, 80);
    })
    .join(', ');
}

/** A connector kind: Connect's REST API on the source or the sink, no parameters. */
function connectorKind(k: {
  kind: string;
  summary: string;
  example: ConnectorTarget;
  instantaneous: boolean;
  evidence: Evidence[];
  build: (id: string, target: ConnectorTarget) => Fault;
}): FaultKind {
  return {
    kind: k.kind,
    summary: k.summary,
    example: { target: k.example },
    needs: 'api',
    topology: 'any',
    targets: CONNECTOR_TARGETS,
    params: [],
    instantaneous: k.instantaneous,
    evidence: k.evidence,
    build: (id, t) => k.build(id, t as ConnectorTarget),
  };
}

/** The connector family: Connect's REST API on the pipeline's source or sink connector. */
export const CONNECTOR_KINDS: readonly FaultKind[] = [
  connectorKind({
    kind: 'connector.restart',
    summary: 'Connect REST restart of the connector and its tasks',
    example: 'sink',
    instantaneous: true,
    evidence: ['connector-restarted'],
    build: connectorRestartFault,
  }),
  connectorKind({
    kind: 'connector.pause',
    summary: 'connector PAUSED; heal = resume',
    example: 'source',
    instantaneous: false,
    evidence: ['connector-paused'],
    build: connectorPauseFault,
  }),
  connectorKind({
    kind: 'connector.stop',
    summary: 'connector STOPPED (tasks released); heal = resume',
    example: 'sink',
    instantaneous: false,
    evidence: ['connector-stopped'],
    build: connectorStopFault,
  }),
  connectorKind({
    kind: 'connector.reset-offsets',
    summary: 'stop, delete committed offsets (KIP-875), resume: sink re-reads its topics, source starts over',
    example: 'sink',
    instantaneous: true,
    evidence: ['offsets-reset'],
    build: connectorResetOffsetsFault,
  }),
];
