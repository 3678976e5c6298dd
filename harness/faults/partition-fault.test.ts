import { describe, expect, it } from 'vitest';
import type { ServiceHandle } from '../provider/interface.ts';
import type { TimelineEvent } from '../record/timeline.ts';
import type { FaultContext } from './fault.ts';
import { partitionFault } from './partition-fault.ts';

/** Connect as a container that can leave its network; `probe` answers from inside it. */
function container(probe: (connected: boolean) => string) {
  let connected = true;
  const calls: string[] = [];
  const h = {
    name: 'connect',
    async isolate() {
      calls.push('isolate');
      connected = false;
      return 'disconnected';
    },
    async rejoin() {
      calls.push('rejoin');
      connected = true;
      return 'reconnected';
    },
    async probeTcp(host: string, port: number) {
      calls.push(`probe ${host}:${port}`);
      return probe(connected);
    },
  } as unknown as ServiceHandle;
  return { h, calls };
}

function context(services: FaultContext['services']): { ctx: FaultContext; events: TimelineEvent[] } {
  const events: TimelineEvent[] = [];
  const ctx = {
    endpoints: { pgProxied: { host: 'toxiproxy', port: 5432 } },
    services,
    record: (e: TimelineEvent) => events.push(e),
  } as unknown as FaultContext;
  return { ctx, events };
}

const evidence = (events: TimelineEvent[]) => events.filter((e) => e.kind === 'fault-evidence');

describe('network.partition', () => {
  it('cuts the container off, proves it from inside (reachable before, not during), and rejoins on heal', async () => {
    const { h, calls } = container((on) => (on ? 'accepted' : 'bash: toxiproxy: Name or service not known'));
    const { ctx, events } = context({ connect: h });
    const f = partitionFault('cut#1', 'connect');
    await f.start(ctx);
    await f.heal(ctx);
    expect(calls).toEqual(['probe toxiproxy:5432', 'isolate', 'probe toxiproxy:5432', 'rejoin']);
    expect(evidence(events)).toMatchObject([{ sign: 'isolated-from-network', seen: true }]);
  });

  it('proves nothing when the probe cannot reach Toxiproxy even before the cut (a broken probe)', async () => {
    const { h } = container(() => 'bash: not found');
    const { ctx, events } = context({ connect: h });
    const f = partitionFault('cut#1', 'connect');
    await f.start(ctx);
    await f.heal(ctx);
    expect(evidence(events)).toMatchObject([{ sign: 'isolated-from-network', seen: false }]);
  });

  it('proves nothing when the container still reaches Toxiproxy after the cut', async () => {
    const { h } = container(() => 'accepted');
    const { ctx, events } = context({ connect: h });
    const f = partitionFault('cut#1', 'connect');
    await f.start(ctx);
    expect(evidence(events)).toMatchObject([{ sign: 'isolated-from-network', seen: false }]);
  });

  it('refuses a provider whose services cannot leave a network, naming the fix', async () => {
    const { ctx } = context({ connect: { name: 'connect' } as unknown as ServiceHandle });
    await expect(partitionFault('cut#1', 'connect').start(ctx)).rejects.toMatchObject({
      message: expect.stringMatching(/cannot cut connect off at the IP level/),
      fix: expect.stringMatching(/--provider containers/),
      exitCode: 3,
    });
  });
});
