import { join } from 'node:path';
import { HOST, type StackContext } from '../context.ts';
import type { ServiceDef } from '../service.ts';

export function toxiproxyDef(ctx: StackContext): ServiceDef {
  const logFile = join(ctx.dir, 'logs', 'toxiproxy.log');
  return {
    name: 'toxiproxy',
    logFile,
    spawn: () => ({
      name: 'toxiproxy',
      cmd: ctx.artifacts.toxiproxyBin,
      // -proxy-metrics: per-proxy byte counters, what shows that a toxic saw traffic (docs/fault-evidence.md).
      args: ['-host', HOST, '-port', String(ctx.ports.toxiproxy), '-proxy-metrics'],
      logFile,
      stackDir: ctx.dir,
    }),
    ready: async () => (await fetch(`http://${HOST}:${ctx.ports.toxiproxy}/version`)).ok,
    readyTimeoutMs: 10_000,
    stopSignal: 'SIGTERM',
  };
}
