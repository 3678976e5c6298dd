import { describe, expect, it } from 'vitest';
import type { StackContext } from './context.ts';
import { connectUrls, endpointsFor, proxySpecs } from './endpoints.ts';
import { brokerPorts, clusterPortPlan, isClusterPlan, portPlan } from './ports.ts';
import { serviceNames } from './service.ts';
import { connectWorkers } from './services/connect.ts';
import { asNode, brokerProperties, kafkaNodes } from './services/kafka.ts';
import { postgresNodes } from './services/postgres.ts';
import { CLUSTER_PROCESS_TARGETS, CLUSTER_PROXY_TARGETS, isClusterTarget, splitTarget } from './targets.ts';

describe('the cluster topology, as plain data', () => {
  const p = clusterPortPlan(22400);

  it("keeps the single stack's ports and fits the cluster in one block of 41 without a collision", () => {
    expect(portPlan(22400)).toEqual(Object.fromEntries(Object.entries(p).filter(([k]) => k in portPlan(22400))));
    const all = Object.values(p) as number[];
    expect(new Set(all).size).toBe(all.length);
    expect(Math.min(...all)).toBe(22400);
    expect(Math.max(...all)).toBeLessThanOrEqual(22440);
    expect(isClusterPlan(p)).toBe(true);
    expect(isClusterPlan(portPlan(22400))).toBe(false);
  });

  it('has three brokers, two workers, two Postgres nodes, each with its own service name', () => {
    expect(kafkaNodes(p).map((n) => n.service)).toEqual(['kafka-1', 'kafka-2', 'kafka-3']);
    expect(connectWorkers(p).map((w) => w.service)).toEqual(['connect-1', 'connect-2']);
    expect(postgresNodes(p).map((n) => n.service)).toEqual(['postgres-1', 'postgres-2']);
    expect(serviceNames('cluster')).toEqual([
      'toxiproxy',
      'postgres-1',
      'postgres-2',
      'elasticsearch',
      'kafka-1',
      'kafka-2',
      'kafka-3',
      'connect-1',
      'connect-2',
    ]);
    expect(kafkaNodes(portPlan(22400)).map((n) => n.service)).toEqual(['kafka']);
  });

  it('makes each broker a voter of one 3-node quorum, replicating and serving Connect through its own proxies', () => {
    const node = kafkaNodes(p)[1]!;
    const props = brokerProperties({ ports: p } as StackContext, node, '/d');
    expect(props['node.id']).toBe(2);
    expect(props['controller.quorum.voters']).toBe('1@127.0.0.1:22402,2@127.0.0.1:22422,3@127.0.0.1:22432');
    expect(props['advertised.listeners']).toBe(
      'PLAINTEXT://127.0.0.1:22421,PROXIED://127.0.0.1:22425,REPLICATION://127.0.0.1:22426',
    );
    expect(props['inter.broker.listener.name']).toBe('REPLICATION');
    expect(props['min.insync.replicas']).toBe(2);
    expect(props['default.replication.factor']).toBe(3);
    // The single stack's broker is what it was.
    const one = brokerProperties({ ports: portPlan(22400) } as StackContext, kafkaNodes(portPlan(22400))[0]!, '/d');
    expect(one['inter.broker.listener.name']).toBe('PLAINTEXT');
    expect(one['offsets.topic.replication.factor']).toBe(1);
    expect(one).not.toHaveProperty('min.insync.replicas');
  });

  it("gives each node of the cluster its own id and directory id, the template's cluster id", () => {
    const meta = '#\nnode.id=1\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAA\nversion=1\ncluster.id=CCCCCCCCCCCCCCCCCCCCCC\n';
    const two = asNode(meta, 2);
    expect(two).toContain('node.id=2\n');
    expect(two).toContain('cluster.id=CCCCCCCCCCCCCCCCCCCCCC');
    expect(two).not.toContain('directory.id=AAAAAAAAAAAAAAAAAAAAAA');
  });

  it('puts every broker listener for Connect and for replication behind a proxy, and the primary behind two', () => {
    const names = proxySpecs(p).map((s) => s.name);
    expect(names).toEqual([
      'pg',
      'pg-primary',
      'kafka-1',
      'kafka-1-replication',
      'kafka-2',
      'kafka-2-replication',
      'kafka-3',
      'kafka-3-replication',
      'es',
    ]);
    for (const b of brokerPorts(p))
      expect(proxySpecs(p).find((s) => s.name === `kafka-${b.nodeId}`)?.upstream).toBe(
        `127.0.0.1:${b.proxiedUpstream}`,
      );
    const e = endpointsFor(p);
    expect(e.pg.port).toBe(p.proxyPostgresPrimary);
    expect(e.kafkaProxied).toBe('127.0.0.1:22411,127.0.0.1:22425,127.0.0.1:22435');
    expect(connectUrls(e)).toBe('http://127.0.0.1:22404,http://127.0.0.1:22409');
    expect(e.cluster?.workers.map((w) => w.workerId)).toEqual(['127.0.0.1:22404', '127.0.0.1:22409']);
  });

  it('spells roles as service@role', () => {
    expect(splitTarget('kafka@leader-of:products')).toEqual({ service: 'kafka', role: 'leader-of:products' });
    expect(splitTarget('kafka-replication@follower')).toEqual({ service: 'kafka-replication', role: 'follower' });
    expect(splitTarget('connect')).toEqual({ service: 'connect' });
    expect(CLUSTER_PROCESS_TARGETS).toContain('connect@worker-of:sink');
    expect(CLUSTER_PROXY_TARGETS).toContain('kafka-replication@leader-of:products');
    expect([...CLUSTER_PROCESS_TARGETS, ...CLUSTER_PROXY_TARGETS].every(isClusterTarget)).toBe(true);
    expect(isClusterTarget('kafka')).toBe(false);
  });
});
