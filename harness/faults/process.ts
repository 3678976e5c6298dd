import { readFileSync } from 'node:fs';
import { isAlive, signalGroup } from '../stack/process.ts';
import type { Service } from '../stack/service.ts';
import { EnvError } from '../util/errors.ts';
import { defineFault } from './define.ts';
import type { Fault, FaultContext } from './fault.ts';

/** Services a process fault may hit (Toxiproxy is the instrument, not a subject). */
export const PROCESS_TARGETS = ['postgres', 'kafka', 'connect', 'elasticsearch'] as const;
export type ProcessTarget = (typeof PROCESS_TARGETS)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function service(ctx: FaultContext, name: ProcessTarget, kind: string): Service {
  const svc = ctx.services?.[name];
  if (!svc) {
    throw new EnvError(
      `fault ${kind} on ${name}: this stack provider cannot inject process faults (it gives no handle on the ${name} process)`,
      'use network.* or connector.* faults instead, or run against the local stack (`outbox-chaos up`)',
    );
  }
  return svc;
}

function requireRunning(svc: Service, kind: string): number {
  const pid = svc.pid;
  if (pid === undefined || !isAlive(pid)) throw new EnvError(`fault ${kind}: ${svc.name} is not running, nothing to hit`, `see ${svc.logFile}`);
  return pid;
}

/** The state letter from /proc/<pid>/stat (R, S, T = stopped, Z...), undefined when gone. */
function procState(pid: number): string | undefined {
  try {
    return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Brings a service back, or waits for one already (re)started to answer again. No handle: nothing was hit. */
async function ensureUp(svc: Service | undefined): Promise<void> {
  if (!svc) return;
  if (svc.running()) await svc.awaitReady();
  else await svc.start();
}

/**
 * kill -9 of the whole process group (a crash: no shutdown hooks, no flush), then after downMs a fresh
 * start that waits until the service answers. The whole crash-and-recover is one instantaneous fault.
 */
export function killFault(id: string, target: ProcessTarget, opts: { downMs?: number } = {}): Fault {
  const downMs = opts.downMs ?? 0;
  return defineFault({
    id,
    kind: 'process.kill',
    target,
    instantaneous: true,
    describe: () => `kill -9 ${target}, restart ${downMs ? `after ${downMs} ms` : 'at once'}`,
    async inject(ctx) {
      const svc = service(ctx, target, 'process.kill');
      const pid = requireRunning(svc, 'process.kill');
      signalGroup(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(20);
      // The group is dead already; stop() only forgets the pid (and drops it from the stack's state file).
      await svc.stop(0);
      await sleep(downMs);
      const t = Date.now();
      await svc.start();
      return `killed pid ${pid}; restarted as pid ${svc.pid}, ready in ${Date.now() - t} ms`;
    },
    async repair(ctx) {
      await ensureUp(ctx.services?.[target]);
    },
  });
}

/** SIGSTOP to the process group: the service holds its sockets open but answers nothing (a GC pause, a frozen VM). */
export function pauseFault(id: string, target: ProcessTarget): Fault {
  return defineFault({
    id,
    kind: 'process.pause',
    target,
    describe: () => `SIGSTOP ${target} (frozen, sockets open)`,
    async inject(ctx) {
      const svc = service(ctx, target, 'process.pause');
      const pid = requireRunning(svc, 'process.pause');
      svc.pause();
      // SIGSTOP lands asynchronously; the window should open on a frozen process, not a running one.
      const deadline = Date.now() + 2000;
      while (procState(pid) !== 'T') {
        if (Date.now() > deadline) throw new EnvError(`fault process.pause: ${target} (pid ${pid}) is still in state ${procState(pid) ?? 'gone'} 2 s after SIGSTOP`);
        await sleep(10);
      }
      return `stopped pid ${pid}`;
    },
    async repair(ctx) {
      // Without a handle nothing can have been paused.
      ctx.services?.[target]?.resume();
    },
  });
}

/** A clean shutdown and a start, as an operator or a rolling deploy would do it. */
export function restartFault(id: string, target: ProcessTarget): Fault {
  return defineFault({
    id,
    kind: 'process.restart',
    target,
    instantaneous: true,
    describe: () => `graceful restart of ${target}`,
    async inject(ctx) {
      const svc = service(ctx, target, 'process.restart');
      const t = Date.now();
      await svc.restart({ graceful: true });
      return `restarted as pid ${svc.pid} in ${Date.now() - t} ms`;
    },
    async repair(ctx) {
      await ensureUp(ctx.services?.[target]);
    },
  });
}
