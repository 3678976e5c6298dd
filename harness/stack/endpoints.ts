import { HOST, PG_DATABASE, PG_PASSWORD, PG_USER } from './context.ts';
import { brokerPorts, isClusterPlan, type PortPlan } from './ports.ts';

/** A cluster's members as faults and observers need to find them (plain data: it goes into state files). */
export interface ClusterEndpoints {
  brokers: {
    member: string;
    nodeId: number;
    /** The harness's own (direct) address of this broker. */
    direct: string;
    /** Toxiproxy's name for the proxy in front of its listener for Connect (and for its replication listener). */
    proxy: string;
    replicationProxy?: string;
  }[];
  workers: {
    member: string;
    url: string;
    /** The worker id Connect reports in a task's status (`host:port` of its REST listener). */
    workerId: string;
  }[];
  postgres: {
    member: string;
    host: string;
    port: number;
    /** The address Toxiproxy reaches it at (the pg proxies' upstream once it is the primary). */
    upstream: string;
  }[];
  /** Toxiproxy's proxies that lead to the primary: the connector's (pg) and the application's (pg-primary). */
  primaryProxies: string[];
}

/**
 * Where things are. "Direct" endpoints are for the harness's own observing connections; the "proxied"
 * ones go through Toxiproxy and are what the connectors are configured with.
 */
export interface Endpoints {
  pgUrl: string;
  pg: { host: string; port: number; database: string; user: string; password: string };
  pgProxied: { host: string; port: number };
  kafkaBootstrap: string;
  kafkaProxied: string;
  connectUrl: string;
  esUrl: string;
  esProxiedUrl: string;
  /** Toxiproxy's API; empty when the environment has none (network faults are then unavailable). */
  toxiproxyUrl: string;
  /** Toxiproxy's names for the proxies of each hop, where they are not pg, kafka and es (external environments). */
  proxyNames?: Partial<Record<'pg' | 'kafka' | 'es', string>>;
  /**
   * Connect loads its plugins from the harness's cache (local and containers stacks), so a plugin that will not load
   * is a damaged cache.
   */
  pluginsFromCache?: boolean;
  /** A cluster's brokers, workers and Postgres nodes; absent for a single stack. */
  cluster?: ClusterEndpoints;
}

export function endpointsFor(p: PortPlan): Endpoints {
  const single: Endpoints = {
    pgUrl: `postgresql://${PG_USER}:${PG_PASSWORD}@${HOST}:${p.postgres}/${PG_DATABASE}`,
    pg: { host: HOST, port: p.postgres, database: PG_DATABASE, user: PG_USER, password: PG_PASSWORD },
    pgProxied: { host: HOST, port: p.proxyPostgres },
    kafkaBootstrap: `${HOST}:${p.kafka}`,
    kafkaProxied: `${HOST}:${p.proxyKafka}`,
    connectUrl: `http://${HOST}:${p.connect}`,
    esUrl: `http://${HOST}:${p.elasticsearch}`,
    esProxiedUrl: `http://${HOST}:${p.proxyElasticsearch}`,
    toxiproxyUrl: `http://${HOST}:${p.toxiproxy}`,
    pluginsFromCache: true,
  };
  if (!isClusterPlan(p)) return single;
  const brokers = brokerPorts(p);
  // The application (the workload) and the harness reach "the primary" through pg-primary, as an application
  // reaches it through a virtual IP or a pooler: a failover repoints it, never a fault target itself.
  const primary = p.proxyPostgresPrimary as number;
  return {
    ...single,
    pgUrl: `postgresql://${PG_USER}:${PG_PASSWORD}@${HOST}:${primary}/${PG_DATABASE}`,
    pg: { ...single.pg, port: primary },
    kafkaBootstrap: brokers.map((b) => `${HOST}:${b.direct}`).join(','),
    kafkaProxied: brokers.map((b) => `${HOST}:${b.proxy}`).join(','),
    cluster: {
      brokers: brokers.map((b) => ({
        member: `kafka-${b.nodeId}`,
        nodeId: b.nodeId,
        direct: `${HOST}:${b.direct}`,
        proxy: `kafka-${b.nodeId}`,
        replicationProxy: `kafka-${b.nodeId}-replication`,
      })),
      workers: [p.connect, p.connect2 as number].map((port, i) => ({
        member: `connect-${i + 1}`,
        url: `http://${HOST}:${port}`,
        workerId: `${HOST}:${port}`,
      })),
      postgres: [p.postgres, p.postgresStandby as number].map((port, i) => ({
        member: `postgres-${i + 1}`,
        host: HOST,
        port,
        upstream: `${HOST}:${port}`,
      })),
      primaryProxies: ['pg', 'pg-primary'],
    },
  };
}

/** The proxies a stack has: one per hop the connectors use; a cluster's, one per broker listener and pg-primary. */
export function proxySpecs(p: PortPlan): { name: string; listen: string; upstream: string }[] {
  const pg = { name: 'pg', listen: `${HOST}:${p.proxyPostgres}`, upstream: `${HOST}:${p.postgres}` };
  const es = { name: 'es', listen: `${HOST}:${p.proxyElasticsearch}`, upstream: `${HOST}:${p.elasticsearch}` };
  if (!isClusterPlan(p))
    return [
      pg,
      { name: 'kafka', listen: `${HOST}:${p.proxyKafka}`, upstream: `${HOST}:${p.kafkaProxiedUpstream}` },
      es,
    ];
  return [
    pg,
    { name: 'pg-primary', listen: `${HOST}:${p.proxyPostgresPrimary}`, upstream: `${HOST}:${p.postgres}` },
    ...brokerPorts(p).flatMap((b) => [
      { name: `kafka-${b.nodeId}`, listen: `${HOST}:${b.proxy}`, upstream: `${HOST}:${b.proxiedUpstream}` },
      {
        name: `kafka-${b.nodeId}-replication`,
        listen: `${HOST}:${b.replicationProxy}`,
        upstream: `${HOST}:${b.replicationUpstream}`,
      },
    ]),
    es,
  ];
}

/** Every Connect worker's REST address, comma-separated (ConnectClient asks the next when one does not answer). */
export function connectUrls(ep: Endpoints): string {
  return ep.cluster?.workers.length ? ep.cluster.workers.map((w) => w.url).join(',') : ep.connectUrl;
}
