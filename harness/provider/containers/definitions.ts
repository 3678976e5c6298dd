import { HOST, PG_DATABASE, PG_PASSWORD, PG_USER } from '../../stack/context.ts';
import type { Endpoints } from '../../stack/endpoints.ts';
import type { PortPlan } from '../../stack/ports.ts';

import {
  NET,
  PORT,
  PROXY_LISTEN,
  type ContainersPlan,
  type PlanOptions,
  type PortMapping,
  type ProxyDef,
} from './plan.ts';
import { connectDef, elasticsearchDef, kafkaDef, postgresDef, toxiproxyDef } from './services.ts';

/** The three hops, each from Connect through Toxiproxy to the service's network alias. */
export function proxyDefs(): ProxyDef[] {
  return [
    { name: 'pg', listen: `0.0.0.0:${PROXY_LISTEN.pg}`, upstream: `${NET.postgres}:${PORT.postgres}`, enabled: true },
    {
      name: 'kafka',
      listen: `0.0.0.0:${PROXY_LISTEN.kafka}`,
      upstream: `${NET.kafka}:${PORT.kafkaBroker}`,
      enabled: true,
    },
    {
      name: 'es',
      listen: `0.0.0.0:${PROXY_LISTEN.es}`,
      upstream: `${NET.elasticsearch}:${PORT.elasticsearch}`,
      enabled: true,
    },
  ];
}

/** Direct endpoints for the harness on the published ports; proxied ones as Connect sees them. */
export function containersEndpoints(p: PortPlan, host: string = HOST): Endpoints {
  return {
    pgUrl: `postgresql://${PG_USER}:${PG_PASSWORD}@${host}:${p.postgres}/${PG_DATABASE}`,
    pg: { host, port: p.postgres, database: PG_DATABASE, user: PG_USER, password: PG_PASSWORD },
    pgProxied: { host: NET.toxiproxy, port: PROXY_LISTEN.pg },
    kafkaBootstrap: `${host}:${p.kafka}`,
    kafkaProxied: `${NET.kafkaBroker}:${PROXY_LISTEN.kafka}`,
    connectUrl: `http://${host}:${p.connect}`,
    esUrl: `http://${host}:${p.elasticsearch}`,
    esProxiedUrl: `http://${NET.toxiproxy}:${PROXY_LISTEN.es}`,
    toxiproxyUrl: `http://${host}:${p.toxiproxy}`,
    pluginsFromCache: true,
  };
}

/** The stack's network names start with this (a random suffix follows). */
export function networkPrefix(stack: string): string {
  return `outbox-chaos-${stack}-`;
}

export function containersPlan(o: PlanOptions): ContainersPlan {
  const stack = o.stack ?? 'containers';
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(stack))
    throw new Error(`stack name "${stack}" is not usable in a Docker network name`);
  return {
    stack,
    runId: o.runId,
    networkPrefix: networkPrefix(stack),
    publishIp: o.publishIp ?? HOST,
    kafkaAdvertisedHost: NET.kafkaBroker,
    imageSet: o.imageSet ?? 'official',
    containers: {
      toxiproxy: toxiproxyDef(o, stack),
      postgres: postgresDef(o, stack),
      kafka: kafkaDef(o, stack),
      elasticsearch: elasticsearchDef(o, stack),
      connect: connectDef(o, stack),
    },
    proxies: proxyDefs(),
    endpoints: containersEndpoints(o.ports, o.host ?? HOST),
  };
}

/**
 * Docker's PortBindings for fixed host ports on one address. testcontainers' withExposedPorts has no way to
 * name the host address (it publishes on every interface), so build.ts sets these itself.
 */
export function portBindings(
  ports: PortMapping[],
  publishIp: string,
): Record<string, { HostIp?: string; HostPort: string }[]> {
  const out: Record<string, { HostIp?: string; HostPort: string }[]> = {};
  for (const p of ports)
    out[`${p.container}/tcp`] = [
      publishIp ? { HostIp: publishIp, HostPort: String(p.host) } : { HostPort: String(p.host) },
    ];
  return out;
}
