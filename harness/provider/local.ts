import { join } from 'node:path';
import { isAlive, processState as procState } from '../stack/processes.ts';
import type { Service } from '../stack/service.ts';
import type { Stack } from '../stack/stack.ts';
import { describeExit, superviseStack } from '../stack/supervise.ts';
import { PROCESS_TARGETS, type ProcessTarget, PROXIES } from '../stack/targets.ts';
import { EnvError } from '../util/errors.ts';
import type { Provider, ServiceHandle } from './interface.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Process faults on a local service: signals to its process group. */
export function processHandle(svc: Service, name: ProcessTarget): ServiceHandle {
  const alivePid = (what: string): number => {
    const pid = svc.pid;
    if (pid === undefined || !isAlive(pid)) throw new EnvError(`${what}: ${svc.name} is not running, nothing to hit`, `see ${svc.logFile}`);
    return pid;
  };
  return {
    name,
    where: svc.logFile,
    running: async () => svc.running() && procState(svc.pid as number) !== 'T',
    async crash() {
      alivePid('kill');
      return `killed pid ${await svc.kill()}`;
    },
    async start() {
      await svc.start();
      return `pid ${svc.pid}`;
    },
    async freeze() {
      const pid = alivePid('pause');
      svc.pause();
      // SIGSTOP lands asynchronously; the window should open on a frozen process, not a running one.
      const deadline = Date.now() + 2000;
      while (procState(pid) !== 'T') {
        if (Date.now() > deadline) throw new EnvError(`${svc.name} (pid ${pid}) is still in state ${procState(pid) ?? 'gone'} 2 s after SIGSTOP`);
        await sleep(10);
      }
      return `stopped pid ${pid}`;
    },
    async thaw() {
      svc.resume();
    },
    async restart() {
      await svc.restart({ graceful: true });
      return `restarted as pid ${svc.pid}`;
    },
    async ensureUp() {
      svc.resume();
      if (svc.running()) await svc.awaitReady();
      else await svc.start();
    },
  };
}

/** The local stack as a provider: every process is ours, and every hop has a proxy. */
export function localProvider(stack: Stack): Provider {
  return {
    kind: 'local',
    label: `local stack "${stack.name}"`,
    endpoints: stack.endpoints,
    services: Object.fromEntries(PROCESS_TARGETS.map((t) => [t, processHandle(stack.services[t], t)])),
    capabilities: { process: PROCESS_TARGETS, proxies: PROXIES },
    exclusive: true,
    versions: stack.versions,
    logsDir: join(stack.dir, 'logs'),
    watch: (onFailure) => superviseStack(stack.dir, (e) => onFailure({ service: e.service, message: describeExit(e), details: `last lines of ${e.logFile}:\n${e.logTail}`, exitedAt: e.status?.at })),
    stop: () => stack.stop(),
  };
}
