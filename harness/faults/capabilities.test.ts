import { describe, expect, it } from 'vitest';
import { missingCapabilities } from './capabilities.ts';
import { makeFault } from './registry.ts';

const faults = [
  makeFault({ kind: 'process.kill', target: 'connect' }, 'kill#1'),
  makeFault({ kind: 'network.down', target: 'es' }, 'down#2'),
  makeFault({ kind: 'connector.restart', target: 'sink' }, 'restart#3'),
];

describe('what a provider can inject', () => {
  it('lets a provider with every handle and proxy run everything', () => {
    expect(
      missingCapabilities(faults, {
        kind: 'local',
        capabilities: { process: ['postgres', 'kafka', 'connect', 'elasticsearch'], proxies: ['pg', 'kafka', 'es'] },
      }),
    ).toEqual([]);
  });

  it('names each fault an external environment cannot inject, and why', () => {
    const reasons = missingCapabilities(faults, { kind: 'external', capabilities: { process: [], proxies: ['pg'] } });
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/kill#1 needs control of the connect process/);
    expect(reasons[1]).toMatch(/down#2 needs a Toxiproxy in front of the es hop.*toxiproxy.proxies/);
  });

  it('checks the target, not only the kind', () => {
    expect(
      missingCapabilities([faults[0]!], { kind: 'containers', capabilities: { process: ['postgres'], proxies: [] } }),
    ).toHaveLength(1);
  });
});

describe('what only a cluster can inject', () => {
  const roles = [
    makeFault({ kind: 'process.kill', target: 'kafka@leader-of:products' }, 'kill#1'),
    makeFault({ kind: 'postgres.failover' }, 'failover#2'),
    makeFault({ kind: 'network.down', target: 'kafka@follower' }, 'down#3'),
  ];

  it('skips role targets and a failover on a single stack, saying to use the cluster topology', () => {
    const reasons = missingCapabilities(roles, {
      kind: 'local',
      capabilities: { process: ['postgres', 'kafka', 'connect', 'elasticsearch'], proxies: ['pg', 'kafka', 'es'] },
    });
    expect(reasons).toHaveLength(3);
    for (const r of reasons) expect(r).toMatch(/needs the cluster topology.*--topology cluster/);
  });

  it('runs them on a cluster', () => {
    expect(
      missingCapabilities(roles, {
        kind: 'local',
        topology: 'cluster',
        capabilities: { process: ['postgres', 'kafka@leader-of:products'], proxies: ['kafka@follower'] },
      }),
    ).toEqual([]);
  });

  it("on external: network faults on brokers the env file names, never a member's process", () => {
    const reasons = missingCapabilities(roles, {
      kind: 'external',
      capabilities: { process: [], proxies: ['kafka@follower'] },
    });
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/kill#1 needs control of a cluster member's process/);
    expect(reasons[1]).toMatch(/failover#2 needs control of a cluster member's process/);
  });
});
