/**
 * The vocabulary of fault targets, shared by the stacks that provide them and the faults that hit them.
 */

/** The proxies every stack has: Connect→Postgres, Connect→Kafka (both connectors), Connect→Elasticsearch. */
export const PROXIES = ['pg', 'kafka', 'es'] as const;
export type ProxyName = (typeof PROXIES)[number];

/** Services a process fault may hit (Toxiproxy is the instrument, not a subject). */
export const PROCESS_TARGETS = ['postgres', 'kafka', 'connect', 'elasticsearch'] as const;
export type ProcessTarget = (typeof PROCESS_TARGETS)[number];
