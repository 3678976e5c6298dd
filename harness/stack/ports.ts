import { createServer } from 'node:net';
import { ConfigError, EnvError } from '../util/errors.ts';
import { exec } from '../util/exec.ts';

/**
 * Every port the local stack binds, derived from one base so two stacks (or a user's own Postgres on 5432,
 * Kafka on 9092, Connect on 8083, ES on 9200, Toxiproxy on 8474) never collide with it.
 */
export interface PortPlan {
  postgres: number;
  kafka: number;
  kafkaController: number;
  /** The broker listener that sits behind the kafka proxy (advertised as the proxy's address). */
  kafkaProxiedUpstream: number;
  connect: number;
  elasticsearch: number;
  elasticsearchTransport: number;
  toxiproxy: number;
  proxyPostgres: number;
  proxyKafka: number;
  proxyElasticsearch: number;
  /** Cluster topology only (see clusterPortPlan). */
  postgresStandby?: number;
  connect2?: number;
  /** The application's (and the harness's) address of the current primary: a proxy that failover repoints. */
  proxyPostgresPrimary?: number;
  /** Broker 1's replication listener and its proxy (brokers 2 and 3: kafka2*, kafka3*). */
  kafkaReplicationUpstream?: number;
  proxyKafkaReplication?: number;
  kafka2?: number;
  kafka2Controller?: number;
  kafka2ProxiedUpstream?: number;
  kafka2ReplicationUpstream?: number;
  proxyKafka2?: number;
  proxyKafka2Replication?: number;
  kafka3?: number;
  kafka3Controller?: number;
  kafka3ProxiedUpstream?: number;
  kafka3ReplicationUpstream?: number;
  proxyKafka3?: number;
  proxyKafka3Replication?: number;
}

export const DEFAULT_PORT_BASE = 17400;

/** The ports of one broker of a plan (node 1 uses the single stack's names). */
export interface BrokerPorts {
  nodeId: number;
  /** PLAINTEXT, for the harness's own observing connections: never behind a proxy. */
  direct: number;
  controller: number;
  /** PROXIED, Connect's listener, advertised as `proxy`. */
  proxiedUpstream: number;
  proxy: number;
  /** REPLICATION, the inter-broker listener (cluster only), advertised as `replicationProxy`. */
  replicationUpstream?: number;
  replicationProxy?: number;
}

export function brokerPorts(p: PortPlan): BrokerPorts[] {
  const one: BrokerPorts = {
    nodeId: 1,
    direct: p.kafka,
    controller: p.kafkaController,
    proxiedUpstream: p.kafkaProxiedUpstream,
    proxy: p.proxyKafka,
    replicationUpstream: p.kafkaReplicationUpstream,
    replicationProxy: p.proxyKafkaReplication,
  };
  if (p.kafka2 === undefined || p.kafka3 === undefined) return [one];
  return [
    one,
    {
      nodeId: 2,
      direct: p.kafka2,
      controller: p.kafka2Controller as number,
      proxiedUpstream: p.kafka2ProxiedUpstream as number,
      proxy: p.proxyKafka2 as number,
      replicationUpstream: p.kafka2ReplicationUpstream,
      replicationProxy: p.proxyKafka2Replication,
    },
    {
      nodeId: 3,
      direct: p.kafka3,
      controller: p.kafka3Controller as number,
      proxiedUpstream: p.kafka3ProxiedUpstream as number,
      proxy: p.proxyKafka3 as number,
      replicationUpstream: p.kafka3ReplicationUpstream,
      replicationProxy: p.proxyKafka3Replication,
    },
  ];
}

/**
 * The cluster's block: the single stack's ports at the same offsets (broker 1, worker 1 and the primary
 * where the single stack has them), the rest in the same 41-port block:
 *   +8 standby, +9 worker 2, +13 pg-primary proxy, +14/+15 broker 1's replication listener and proxy,
 *   +21..+26 broker 2 (direct, controller, Connect listener, replication listener, their two proxies),
 *   +31..+36 broker 3 (the same).
 */
export function clusterPortPlan(base: number = DEFAULT_PORT_BASE): PortPlan {
  const p = portPlan(base);
  return {
    ...p,
    postgresStandby: base + 8,
    connect2: base + 9,
    proxyPostgresPrimary: base + 13,
    kafkaReplicationUpstream: base + 14,
    proxyKafkaReplication: base + 15,
    kafka2: base + 21,
    kafka2Controller: base + 22,
    kafka2ProxiedUpstream: base + 23,
    kafka2ReplicationUpstream: base + 24,
    proxyKafka2: base + 25,
    proxyKafka2Replication: base + 26,
    kafka3: base + 31,
    kafka3Controller: base + 32,
    kafka3ProxiedUpstream: base + 33,
    kafka3ReplicationUpstream: base + 34,
    proxyKafka3: base + 35,
    proxyKafka3Replication: base + 36,
  };
}

/** True for a cluster's plan. */
export function isClusterPlan(p: PortPlan): boolean {
  return p.kafka2 !== undefined;
}

export function portPlan(base: number = DEFAULT_PORT_BASE): PortPlan {
  if (!Number.isInteger(base) || base < 1024 || base > 65000) {
    throw new ConfigError(`port base ${base} is out of range`, 'use --port-base with a number between 1024 and 65000');
  }
  return {
    postgres: base,
    kafka: base + 1,
    kafkaController: base + 2,
    kafkaProxiedUpstream: base + 3,
    connect: base + 4,
    elasticsearch: base + 5,
    elasticsearchTransport: base + 6,
    toxiproxy: base + 7,
    proxyPostgres: base + 10,
    proxyKafka: base + 11,
    proxyElasticsearch: base + 12,
  };
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

async function holder(port: number): Promise<string> {
  const r = await exec('ss', ['-Hltnp', `sport = :${port}`]).catch(() => undefined);
  const m = r?.stdout.match(/users:\(\("([^"]+)",pid=(\d+)/);
  return m ? ` by ${m[1]} (pid ${m[2]})` : '';
}

/** Fails with the port, its purpose and its holder when any planned port is taken. */
export async function assertPortsFree(plan: PortPlan): Promise<void> {
  for (const [purpose, port] of Object.entries(plan) as [string, number | undefined][]) {
    if (port === undefined) continue;
    if (!(await portFree(port))) {
      throw new EnvError(
        `port ${port} (${purpose}) is already in use${await holder(port)}`,
        'stop that process, run `outbox-chaos down` if it is a stack of ours, ' +
          'or pick other ports with --port-base N (or OUTBOX_CHAOS_PORT_BASE)',
      );
    }
  }
}

/** Waits until every port of the plan can be bound again; returns those still taken at the deadline. */
export async function waitPortsFree(plan: PortPlan, timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const taken: number[] = [];
    for (const port of Object.values(plan) as (number | undefined)[])
      if (port !== undefined && !(await portFree(port))) taken.push(port);
    if (taken.length === 0 || Date.now() > deadline) return taken;
    await new Promise((r) => setTimeout(r, 200));
  }
}
