import { HOST, PG_DATABASE, PG_PASSWORD, PG_USER } from './context.ts';
import type { PortPlan } from './ports.ts';

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
  /** Connect loads its plugins from the harness's cache (local and containers stacks), so a plugin that will not load is a damaged cache. */
  pluginsFromCache?: boolean;
}

export function endpointsFor(p: PortPlan): Endpoints {
  return {
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
}

/** The proxies every stack has, one per hop the connectors use. */
export function proxySpecs(p: PortPlan): { name: 'pg' | 'kafka' | 'es'; listen: string; upstream: string }[] {
  return [
    { name: 'pg', listen: `${HOST}:${p.proxyPostgres}`, upstream: `${HOST}:${p.postgres}` },
    { name: 'kafka', listen: `${HOST}:${p.proxyKafka}`, upstream: `${HOST}:${p.kafkaProxiedUpstream}` },
    { name: 'es', listen: `${HOST}:${p.proxyElasticsearch}`, upstream: `${HOST}:${p.elasticsearch}` },
  ];
}
