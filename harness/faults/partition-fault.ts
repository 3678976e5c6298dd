import type { ServiceHandle } from '../provider/interface.ts';
import { PROCESS_FAULT_TARGETS, type ProcessFaultTarget, type ProcessTarget } from '../stack/targets.ts';
import { EnvError } from '../util/errors.ts';
import { defineFault } from './define.ts';
import { witness } from './evidence.ts';
import type { Fault, FaultContext } from './fault.ts';
import type { FaultKind } from './kind.ts';
import { memberHandle, resolveMember } from './roles.ts';

type Isolatable = ServiceHandle & Required<Pick<ServiceHandle, 'isolate' | 'probeTcp'>>;

/** The container behind a target, resolved now (on a cluster a role becomes one member, noted in the timeline). */
async function isolatable(ctx: FaultContext, id: string, target: ProcessFaultTarget): Promise<Isolatable> {
  const r = await resolveMember(ctx, target);
  if (r) ctx.record({ t: Date.now(), kind: 'note', message: `${id}: ${target} is ${r.member} (${r.why})` });
  const h = r ? memberHandle(ctx, r, 'network.partition') : ctx.services?.[target as ProcessTarget];
  if (!h?.isolate || !h.probeTcp)
    throw new EnvError(
      `network.partition on ${target}: this provider cannot cut ${target} off at the IP level`,
      'run it with --provider containers (a container leaves its network), or use network.down on a hop',
    );
  return h as Isolatable;
}

/**
 * A real partition: the service's container leaves the stack's network (every peer, Toxiproxy included, is
 * unreachable at the IP level; the process keeps running and keeps its state), and rejoins under its names on
 * heal. Unlike network.down, which closes one proxied hop, nothing reaches it and it reaches nothing.
 */
export function partitionFault(id: string, target: ProcessFaultTarget): Fault {
  let cut: ServiceHandle | undefined;
  return defineFault({
    id,
    kind: 'network.partition',
    target,
    describe: () => `${target} cut off from the stack's network (docker network disconnect)`,
    async inject(ctx) {
      const h = await isolatable(ctx, id, target);
      // Toxiproxy's listener as the pipeline sees it: reachable now (or the probe proves nothing), not once cut.
      const { host, port } = ctx.endpoints.pgProxied;
      const before = await h.probeTcp(host, port);
      const done = await h.isolate();
      cut = h;
      const during = await h.probeTcp(host, port);
      witness(
        ctx,
        id,
        'isolated-from-network',
        before === 'accepted' && during !== 'accepted',
        `from inside ${target}, ${host}:${port}: ${before} before the cut, ${during} during it`,
      );
      return done;
    },
    async repair(ctx) {
      const h = cut ?? ctx.services?.[target as ProcessTarget];
      const back = await h?.rejoin?.();
      cut = undefined;
      return back;
    },
  });
}

export const PARTITION_KINDS: readonly FaultKind[] = [
  {
    kind: 'network.partition',
    summary: "the service's container leaves the stack's network (IP-level partition); heal = rejoin",
    example: { target: 'connect' },
    needs: 'isolation',
    topology: 'any',
    targets: PROCESS_FAULT_TARGETS,
    params: [],
    instantaneous: false,
    evidence: ['isolated-from-network'],
    build: (id, t) => partitionFault(id, t as ProcessFaultTarget),
  },
];
