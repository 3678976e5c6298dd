import type { ServiceHandle } from '../provider/interface.ts';
import type { ProcessTarget } from '../stack/targets.ts';
import { EnvError } from '../util/errors.ts';
import { defineFault } from './define.ts';
import type { Fault, FaultContext } from './fault.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function handle(ctx: FaultContext, name: ProcessTarget, kind: string): ServiceHandle {
  const svc = ctx.services?.[name];
  if (!svc) {
    throw new EnvError(
      `fault ${kind} on ${name}: this provider cannot inject process faults (it gives no handle on the ${name} process)`,
      'use network.* or connector.* faults instead, or run with --provider local or containers',
    );
  }
  return svc;
}

/**
 * kill -9 (a crash: no shutdown hooks, no flush), then after downMs a fresh start that waits until the
 * service answers. The whole crash-and-recover is one instantaneous fault.
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
      const svc = handle(ctx, target, 'process.kill');
      const killed = await svc.crash();
      await sleep(downMs);
      const t = Date.now();
      const started = await svc.start();
      return `${killed}; restarted (${started}), ready in ${Date.now() - t} ms`;
    },
    async repair(ctx) {
      await ctx.services?.[target]?.ensureUp();
    },
  });
}

/** Frozen with its sockets open, answering nothing (a GC pause, a frozen VM). */
export function pauseFault(id: string, target: ProcessTarget): Fault {
  return defineFault({
    id,
    kind: 'process.pause',
    target,
    describe: () => `SIGSTOP ${target} (frozen, sockets open)`,
    inject: (ctx) => handle(ctx, target, 'process.pause').freeze(),
    async repair(ctx) {
      // Without a handle nothing can have been paused.
      await ctx.services?.[target]?.thaw();
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
      const t = Date.now();
      return `${await handle(ctx, target, 'process.restart').restart()} in ${Date.now() - t} ms`;
    },
    async repair(ctx) {
      await ctx.services?.[target]?.ensureUp();
    },
  });
}
