import type { ServiceHandle } from '../provider/interface.ts';
import { PROCESS_FAULT_TARGETS, type ProcessFaultTarget, type ProcessTarget } from '../stack/targets.ts';
import { isAlive, processState } from '../stack/processes.ts';
import { EnvError } from '../util/errors.ts';
import { defineFault } from './define.ts';
import { pidReplaced, witness } from './evidence.ts';
import type { Fault, FaultContext } from './fault.ts';
import { draw, type FaultKind, opt } from './kind.ts';
import type { ParamDef } from './params.ts';
import { memberHandle, resolveMember } from './roles.ts';
import { tasksOn, watchTaskMove } from './task-move.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function handle(ctx: FaultContext, name: ProcessTarget, kind: string): ServiceHandle {
  const svc = ctx.services?.[name];
  if (!svc) {
    throw new EnvError(
      `fault ${kind} on ${name}: this provider cannot inject process faults ` +
        `(it gives no handle on the ${name} process)`,
      'use network.* or connector.* faults instead, or run with --provider local or containers',
    );
  }
  return svc;
}

/** What a process fault hit: the handle, a label for the timeline, and for a Connect worker its worker id. */
interface Hit {
  handle: ServiceHandle;
  label: string;
  workerId?: string;
}

/**
 * The process behind a target, resolved now: on a cluster a role (`kafka@leader-of:products`) or a plain
 * target becomes one member, noted in the timeline with why it was chosen; on a single stack, the service.
 */
async function hit(ctx: FaultContext, id: string, target: ProcessFaultTarget, kind: string): Promise<Hit> {
  const r = await resolveMember(ctx, target);
  if (!r) return { handle: handle(ctx, target as ProcessTarget, kind), label: target };
  ctx.record({ t: Date.now(), kind: 'note', message: `${id}: ${target} is ${r.member} (${r.why})` });
  const workerId = ctx.endpoints.cluster?.workers.find((w) => w.member === r.member)?.workerId;
  return {
    handle: memberHandle(ctx, r, kind),
    label: target === r.member ? r.member : `${r.member} (${target})`,
    ...(workerId ? { workerId } : {}),
  };
}

/**
 * pid-replaced, from the process table where the provider runs local processes; a container's provider has
 * no pid for us, and its crash() returns only once the container stopped, its start() once it answers.
 */
function provePidReplaced(ctx: FaultContext, id: string, h: Hit, before: number | undefined): void {
  if (!h.handle.pid) {
    witness(ctx, id, 'pid-replaced', true, `${h.label}: stopped (the provider saw it gone), then answered again`);
    return;
  }
  const r = pidReplaced(before, h.handle.pid(), before !== undefined && isAlive(before));
  witness(ctx, id, 'pid-replaced', r.seen, `${h.label}: ${r.how}`);
}

/**
 * kill -9 (a crash: no shutdown hooks, no flush), then after downMs a fresh start that waits until the
 * service answers. The whole crash-and-recover is one instantaneous fault. A Connect worker's tasks are
 * followed while it is dead: the detail says when each ran on another worker (the time for a task to move).
 */
export function killFault(id: string, target: ProcessFaultTarget, opts: { downMs?: number } = {}): Fault {
  const downMs = opts.downMs ?? 0;
  let struck: Hit | undefined;
  return defineFault({
    id,
    kind: 'process.kill',
    target,
    instantaneous: true,
    describe: () => `kill -9 ${target}, restart ${downMs ? `after ${downMs} ms` : 'at once'}`,
    async inject(ctx) {
      const h = await hit(ctx, id, target, 'process.kill');
      struck = h;
      const held = h.workerId && downMs > 0 ? await tasksOn(ctx, h.workerId) : [];
      const pid = h.handle.pid?.();
      const killed = await h.handle.crash();
      const t0 = Date.now();
      const moved =
        h.workerId && downMs > 0
          ? watchTaskMove(ctx, h.workerId, held, t0, () => Date.now() - t0 >= downMs)
          : Promise.resolve(undefined);
      await sleep(downMs);
      const move = await moved;
      const t = Date.now();
      const started = await h.handle.start();
      provePidReplaced(ctx, id, h, pid);
      return `${h.label}: ${killed}${move ? `; ${move}` : ''}; restarted (${started}), ready in ${Date.now() - t} ms`;
    },
    async repair(ctx) {
      await (struck?.handle ?? ctx.services?.[target as ProcessTarget])?.ensureUp();
    },
  });
}

/**
 * Frozen with its sockets open, answering nothing (a GC pause, a frozen VM). A frozen Connect worker's tasks
 * are followed: each one that another worker takes over is noted; resumed, the worker is a zombie until its
 * next heartbeat tells it that it left the group, and the detail says where its tasks run then.
 */
export function pauseFault(id: string, target: ProcessFaultTarget): Fault {
  let struck: Hit | undefined;
  let thawed = false;
  let watching: Promise<string> | undefined;
  return defineFault({
    id,
    kind: 'process.pause',
    target,
    describe: () => `SIGSTOP ${target} (frozen, sockets open)`,
    async inject(ctx) {
      const h = await hit(ctx, id, target, 'process.pause');
      struck = h;
      thawed = false;
      const held = h.workerId ? await tasksOn(ctx, h.workerId) : [];
      const frozen = await h.handle.freeze();
      provePaused(ctx, id, h, await h.handle.running());
      if (h.workerId) watching = watchTaskMove(ctx, h.workerId, held, Date.now(), () => thawed);
      return `${h.label}: ${frozen}`;
    },
    async repair(ctx) {
      // Without a handle nothing can have been paused.
      const h =
        struck ??
        (ctx.services?.[target as ProcessTarget]
          ? { handle: ctx.services[target as ProcessTarget] as ServiceHandle, label: target }
          : undefined);
      if (!h) return;
      await h.handle.thaw();
      thawed = true;
      const moved = await watching;
      watching = undefined;
      if (!struck?.workerId) return;
      // The resumed worker's view: which tasks it still claims, once the group has told it what it lost.
      await sleep(3000);
      const still = await tasksOn(ctx, struck.workerId);
      const runs = still.length
        ? `runs ${still.map((t) => `${t.role} task ${t.task}`).join(', ')}`
        : 'runs no task of the pipeline';
      return `${moved ? `while frozen: ${moved}; ` : ''}3 s after SIGCONT ${struck.label} ${runs}`;
    },
  });
}

/** process-frozen: the pid in state T (local), or the provider saying it is not running (a paused container). */
function provePaused(ctx: FaultContext, id: string, h: Hit, running: boolean): void {
  const pid = h.handle.pid?.();
  if (pid !== undefined) {
    const state = processState(pid);
    witness(ctx, id, 'process-frozen', state === 'T', `${h.label}: pid ${pid} in state ${state ?? 'gone'}`);
    return;
  }
  witness(ctx, id, 'process-frozen', !running, `${h.label}: ${running ? 'still running' : 'paused, not running'}`);
}

/** A clean shutdown and a start, as an operator or a rolling deploy would do it. */
export function restartFault(id: string, target: ProcessFaultTarget): Fault {
  let struck: Hit | undefined;
  return defineFault({
    id,
    kind: 'process.restart',
    target,
    instantaneous: true,
    describe: () => `graceful restart of ${target}`,
    async inject(ctx) {
      const h = await hit(ctx, id, target, 'process.restart');
      struck = h;
      const t = Date.now();
      const pid = h.handle.pid?.();
      const done = await h.handle.restart();
      provePidReplaced(ctx, id, h, pid);
      return `${h.label}: ${done} in ${Date.now() - t} ms`;
    },
    async repair(ctx) {
      await (struck?.handle ?? ctx.services?.[target as ProcessTarget])?.ensureUp();
    },
  });
}

/**
 * A broker replaced with an empty disk: kill -9, its partition logs deleted (its node id and the metadata log
 * kept: it rejoins as the same node), started again after downMs. Replicas elsewhere refill it; a partition
 * it alone held starts again from offset 0.
 */
export function replaceFault(id: string, target: ProcessFaultTarget, opts: { downMs?: number } = {}): Fault {
  const downMs = opts.downMs ?? 0;
  let struck: Hit | undefined;
  return defineFault({
    id,
    kind: 'process.replace',
    target,
    instantaneous: true,
    describe: () => `kill -9 ${target}, its data disk lost, started empty ${downMs ? `after ${downMs} ms` : 'at once'}`,
    async inject(ctx) {
      const h = await hit(ctx, id, target, 'process.replace');
      if (!h.handle.wipeData)
        throw new EnvError(
          `process.replace on ${h.label}: only a cluster's brokers can lose their disk here`,
          'target kafka@… on a --topology cluster stack',
        );
      struck = h;
      const pid = h.handle.pid?.();
      const killed = await h.handle.crash();
      const wiped = await h.handle.wipeData();
      await sleep(downMs);
      const t = Date.now();
      const started = await h.handle.start();
      provePidReplaced(ctx, id, h, pid);
      return `${h.label}: ${killed}; ${wiped}; restarted (${started}), ready in ${Date.now() - t} ms`;
    },
    async repair() {
      await struck?.handle.ensureUp();
    },
  });
}

const DOWN_MS: ParamDef = { name: 'downMs', unit: 'ms', doc: 'how long it stays dead; default 0' };

/** The process family: signals to a service's process (or a cluster member's), through the provider's handle. */
export const PROCESS_KINDS: readonly FaultKind[] = [
  {
    kind: 'process.kill',
    summary: 'kill -9 of the service (a crash), restart after downMs, wait until it answers',
    example: { target: 'connect' },
    needs: 'process',
    topology: 'any',
    targets: PROCESS_FAULT_TARGETS,
    params: [DOWN_MS],
    random: { downMs: draw.int(0, 3_000) },
    instantaneous: true,
    evidence: ['pid-replaced'],
    build: (id, t, p) => killFault(id, t as ProcessFaultTarget, { downMs: opt(p, 'downMs') }),
  },
  {
    kind: 'process.pause',
    summary: 'SIGSTOP of the service (frozen, sockets open); heal = SIGCONT',
    example: { target: 'kafka' },
    needs: 'process',
    topology: 'any',
    targets: PROCESS_FAULT_TARGETS,
    params: [],
    instantaneous: false,
    evidence: ['process-frozen'],
    build: (id, t) => pauseFault(id, t as ProcessFaultTarget),
  },
  {
    kind: 'process.restart',
    summary: 'graceful stop and start of the service',
    example: { target: 'postgres' },
    needs: 'process',
    topology: 'any',
    targets: PROCESS_FAULT_TARGETS,
    params: [],
    instantaneous: true,
    evidence: ['pid-replaced'],
    build: (id, t) => restartFault(id, t as ProcessFaultTarget),
  },
  {
    kind: 'process.replace',
    summary: 'cluster broker: kill -9, its data disk lost (logs gone, node id kept), started empty after downMs',
    example: { target: 'kafka@leader-of:products' },
    needs: 'process',
    topology: 'cluster',
    targets: PROCESS_FAULT_TARGETS.filter((t) => t.startsWith('kafka@')),
    params: [DOWN_MS],
    instantaneous: true,
    evidence: ['pid-replaced'],
    build: (id, t, p) => replaceFault(id, t as ProcessFaultTarget, { downMs: opt(p, 'downMs') }),
  },
];
