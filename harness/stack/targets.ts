/**
 * The vocabulary of fault targets, shared by the stacks that provide them and the faults that hit them.
 */

/** The proxies every stack has: Connect→Postgres, Connect→Kafka (both connectors), Connect→Elasticsearch. */
export const PROXIES = ['pg', 'kafka', 'es'] as const;
export type ProxyName = (typeof PROXIES)[number];

/** Services a process fault may hit (Toxiproxy is the instrument, not a subject). */
export const PROCESS_TARGETS = ['postgres', 'kafka', 'connect', 'elasticsearch'] as const;
export type ProcessTarget = (typeof PROCESS_TARGETS)[number];

/** Where the pipeline's programs run: one of each (the default), or a production-shaped cluster. */
export const TOPOLOGIES = ['single', 'cluster'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/**
 * Roles in a cluster, resolved when the fault starts (never when the scenario is read), so that
 * `kafka@leader-of:products` hits whichever broker leads the products topic at that moment:
 *   kafka@1..3                one broker by its node id
 *   kafka@leader-of:products  the leader of the products topic's partition 0
 *   kafka@follower            a follower of that partition (in sync, lowest node id first)
 *   connect@1..2              one Connect worker
 *   connect@worker-of:sink    the worker running the sink's task 0 (…:source the source's)
 *   postgres@primary          the Postgres accepting writes now (…@standby the hot standby)
 */
export const BROKER_ROLES = ['1', '2', '3', 'leader-of:products', 'follower'] as const;
export const WORKER_ROLES = ['1', '2', 'worker-of:sink', 'worker-of:source'] as const;
export const POSTGRES_ROLES = ['primary', 'standby'] as const;

export const CLUSTER_PROCESS_TARGETS = [
  ...BROKER_ROLES.map((r) => `kafka@${r}` as const),
  ...WORKER_ROLES.map((r) => `connect@${r}` as const),
  ...POSTGRES_ROLES.map((r) => `postgres@${r}` as const),
] as const;
export type ClusterProcessTarget = (typeof CLUSTER_PROCESS_TARGETS)[number];

/**
 * Network targets in a cluster: `kafka@<role>` is that broker's listener for Connect (its own proxy,
 * kafka-1..3), `kafka-replication@<role>` the listener its followers fetch from (kafka-1..3-replication):
 * cutting it takes the other brokers' replicas of what it leads out of sync while clients still reach it.
 */
export const CLUSTER_PROXY_TARGETS = [
  ...BROKER_ROLES.map((r) => `kafka@${r}` as const),
  ...BROKER_ROLES.map((r) => `kafka-replication@${r}` as const),
] as const;
export type ClusterProxyTarget = (typeof CLUSTER_PROXY_TARGETS)[number];

/** Every target a process fault accepts (the cluster's only resolve on a cluster). */
export const PROCESS_FAULT_TARGETS: readonly (ProcessTarget | ClusterProcessTarget)[] = [
  ...PROCESS_TARGETS,
  ...CLUSTER_PROCESS_TARGETS,
];
export type ProcessFaultTarget = ProcessTarget | ClusterProcessTarget;
/** Every target a network fault accepts. */
export const NETWORK_TARGETS: readonly (ProxyName | ClusterProxyTarget)[] = [...PROXIES, ...CLUSTER_PROXY_TARGETS];
export type NetworkTarget = ProxyName | ClusterProxyTarget;

/** A target split into the service and its role: 'kafka@follower' → { service: 'kafka', role: 'follower' }. */
export function splitTarget(target: string): { service: string; role?: string } {
  const at = target.indexOf('@');
  return at < 0 ? { service: target } : { service: target.slice(0, at), role: target.slice(at + 1) };
}

/** True for targets only a cluster has (roles, single brokers and workers). */
export function isClusterTarget(target: string): boolean {
  return target.includes('@');
}
