import { join } from 'node:path';
import { setWorkerExtras } from '../stack/services/connect.ts';
import { isAlive, processState as procState } from '../stack/processes.ts';
import type { Service } from '../stack/service.ts';
import type { Stack } from '../stack/stack.ts';
import { describeExit, superviseStack } from '../stack/supervise.ts';
import {
  CLUSTER_PROCESS_TARGETS,
  CLUSTER_PROXY_TARGETS,
  PROCESS_TARGETS,
  type ProcessTarget,
  PROXIES,
} from '../stack/targets.ts';
import { EnvError } from '../util/errors.ts';
import type { Provider, ServiceHandle } from './interface.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Process faults on a local service: signals to its process group. */
export function processHandle(svc: Service, name: ProcessTarget): ServiceHandle {
  const alivePid = (what: string): number => {
    const pid = svc.pid;
    if (pid === undefined || !isAlive(pid))
      throw new EnvError(`${what}: ${svc.name} is not running, nothing to hit`, `see ${svc.logFile}`);
    return pid;
  };
  return {
    name,
    where: svc.logFile,
    running: async () => svc.running() && procState(svc.pid as number) !== 'T',
    pid: () => (svc.pid !== undefined && isAlive(svc.pid) ? svc.pid : undefined),
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
        if (Date.now() > deadline)
          throw new EnvError(
            `${svc.name} (pid ${pid}) is still in state ${procState(pid) ?? 'gone'} 2 s after SIGSTOP`,
          );
        await sleep(10);
      }
      return `stopped pid ${pid}`;
    },
    async thaw() {
      svc.resume();
    },
    async stop() {
      const pid = alivePid('stop');
      await svc.stop(20_000, 'fault');
      return `stopped pid ${pid}`;
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

function service(stack: Stack, name: string): Service {
  const svc = stack.services[name as keyof Stack['services']];
  if (!svc) throw new EnvError(`stack "${stack.name}" has no service ${name}`);
  return svc;
}

/**
 * A cluster's members as handles (kafka-1..3, connect-1..2, postgres-1..2), which its role targets resolve
 * to; the plain targets stand for member 1 (kafka, connect) and the primary (postgres) there.
 */
function clusterHandles(stack: Stack): {
  services: Partial<Record<ProcessTarget, ServiceHandle>>;
  members: Record<string, ServiceHandle>;
} {
  const members: Record<string, ServiceHandle> = {};
  for (const name of Object.keys(stack.services)) {
    const base = name.replace(/-\d+$/, '');
    if (name === base || !(PROCESS_TARGETS as readonly string[]).includes(base)) continue;
    const h = processHandle(service(stack, name), base as ProcessTarget);
    const extra: Partial<ServiceHandle> = {};
    if (base === 'postgres' && stack.rebuildStandby)
      extra.rebuildAsStandbyOf = (primary) =>
        (stack.rebuildStandby as NonNullable<Stack['rebuildStandby']>)(name, primary);
    if (base === 'kafka' && stack.wipeBrokerData)
      extra.wipeData = async () => (stack.wipeBrokerData as NonNullable<Stack['wipeBrokerData']>)(name);
    members[name] = { ...h, ...extra };
  }
  const one = (n: string): ServiceHandle => members[n] as ServiceHandle;
  return {
    members,
    services: {
      kafka: one('kafka-1'),
      connect: one('connect-1'),
      postgres: one('postgres-1'),
      elasticsearch: processHandle(service(stack, 'elasticsearch'), 'elasticsearch'),
    },
  };
}

/** The local stack as a provider: every process is ours, and every hop has a proxy. */
export function localProvider(stack: Stack): Provider {
  const cluster = stack.topology === 'cluster';
  const handles = cluster
    ? clusterHandles(stack)
    : {
        services: Object.fromEntries(PROCESS_TARGETS.map((t) => [t, processHandle(service(stack, t), t)])),
        members: undefined,
      };
  return {
    kind: 'local',
    label: `local ${cluster ? 'cluster' : 'stack'} "${stack.name}"`,
    endpoints: stack.endpoints,
    services: handles.services,
    ...(cluster ? { topology: 'cluster' as const, members: handles.members } : {}),
    capabilities: cluster
      ? { process: [...PROCESS_TARGETS, ...CLUSTER_PROCESS_TARGETS], proxies: [...PROXIES, ...CLUSTER_PROXY_TARGETS] }
      : { process: PROCESS_TARGETS, proxies: PROXIES },
    exclusive: true,
    versions: stack.versions,
    logsDir: join(stack.dir, 'logs'),
    watch: (onFailure) =>
      superviseStack(stack.dir, (e) =>
        onFailure({
          service: e.service,
          message: describeExit(e),
          details: `last lines of ${e.logFile}:\n${e.logTail}`,
          exitedAt: e.status?.at,
        }),
      ),
    async setWorkerSettings(extra) {
      const said: string[] = [];
      const set = Object.entries(extra).map(([k, v]) => `${k}=${v}`);
      const how = set.length ? `with ${set.join(', ')}` : 'with the stack worker settings';
      for (const name of Object.keys(stack.services).filter((n) => /^connect(-\d+)?$/.test(n))) {
        if (!setWorkerExtras(join(stack.dir, name), extra)) continue;
        const t0 = Date.now();
        await service(stack, name).restart({ graceful: true });
        said.push(`${name} restarted ${how} (${Date.now() - t0} ms)`);
      }
      return said;
    },
    stop: () => stack.stop(),
  };
}
