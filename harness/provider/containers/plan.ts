import type { ImageName } from '../../provision/images.ts';
import type { Endpoints } from '../../stack/endpoints.ts';
import type { PortPlan } from '../../stack/ports.ts';
import type { ProxyName } from '../../stack/targets.ts';

/**
 * The containers of a containers-provider stack as plain data: no Docker here, so every setting the
 * pipeline's correctness depends on (aliases, listeners, proxies, worker settings) is unit-tested.
 * build.ts turns these into testcontainers objects.
 */

export const CONTAINER_SERVICES = ['toxiproxy', 'postgres', 'kafka', 'elasticsearch', 'connect'] as const;
export type ContainerService = (typeof CONTAINER_SERVICES)[number];

/** Names on the stack's network. */
export const NET = {
  postgres: 'postgres',
  kafka: 'kafka',
  elasticsearch: 'elasticsearch',
  connect: 'connect',
  toxiproxy: 'toxiproxy',
  /** What Kafka advertises for its BROKER listener: an alias of Toxiproxy, never of Kafka (see kafkaDef). */
  kafkaBroker: 'kafka-broker',
} as const;

/** Ports inside the containers, fixed by the images and by @testcontainers/kafka's listeners. */
export const PORT = {
  postgres: 5432,
  /** KafkaContainer's PLAINTEXT listener, advertised as the published host port: the harness's own. */
  kafkaPlaintext: 9093,
  /** KafkaContainer's BROKER listener (also its inter-broker one): Connect's, through Toxiproxy. */
  kafkaBroker: 9092,
  elasticsearch: 9200,
  connect: 8083,
  toxiproxyApi: 8474,
} as const;

/** Where Toxiproxy listens for each hop, inside its container. kafka must be the BROKER port (see kafkaDef). */
export const PROXY_LISTEN: Record<ProxyName, number> = {
  pg: PORT.postgres,
  kafka: PORT.kafkaBroker,
  es: PORT.elasticsearch,
};

/** The sink plugin's directory in the Debezium image's plugin path (/kafka/connect, one child per plugin). */
export const SINK_PLUGIN_TARGET = '/kafka/connect/outbox-chaos-es-sink';

export const LABEL = {
  /** Every container of a stack name: a later start removes what a crashed harness left. */
  stack: 'outbox-chaos.stack',
  /** Every container of one start: stop() (and a failed start) removes exactly these. */
  run: 'outbox-chaos.run',
  service: 'outbox-chaos.service',
} as const;

/** The Connect worker's internal topics: the same names as the local stack's connect.properties. */
export const CONNECT_TOPICS = {
  config: 'outbox-chaos-connect-configs',
  offset: 'outbox-chaos-connect-offsets',
  status: 'outbox-chaos-connect-status',
} as const;

export interface PortMapping {
  container: number;
  host: number;
}

export interface BindMount {
  source: string;
  target: string;
  mode: 'ro' | 'rw';
}

export interface ContainerDef {
  service: ContainerService;
  image: string;
  /** Network aliases; the first is the one KafkaContainer puts in its controller quorum. */
  aliases: string[];
  env: Record<string, string>;
  command?: string[];
  /** Fixed host ports: a container that is killed and started again keeps them, so the endpoints stay valid. */
  ports: PortMapping[];
  bindMounts: BindMount[];
  labels: Record<string, string>;
  startupTimeoutMs: number;
  shmBytes?: number;
  /** How long `docker restart` lets it shut down cleanly before SIGKILL (process.restart faults). */
  stopGraceSeconds: number;
}

export interface ProxyDef {
  name: ProxyName;
  listen: string;
  upstream: string;
  enabled: boolean;
}

export interface ContainersPlan {
  stack: string;
  runId: string;
  /** The network's name starts with this (testcontainers adds nothing; we add a random suffix). */
  networkPrefix: string;
  /** Host address the ports are published on ('' = every interface). */
  publishIp: string;
  /** The host KafkaContainer advertises for its BROKER listener. */
  kafkaAdvertisedHost: string;
  imageSet: ImageSet;
  containers: Record<ContainerService, ContainerDef>;
  proxies: ProxyDef[];
  endpoints: Endpoints;
}

export interface PlanOptions {
  ports: PortPlan;
  images: Record<ImageName, string>;
  /** The sink plugin's own directory (the one holding its jars), absolute. */
  sinkPluginDir: string;
  runId: string;
  stack?: string;
  /** Where the harness reaches the published ports; 127.0.0.1 for a local engine. */
  host?: string;
  /** The address ports are published on: 127.0.0.1 for a local engine, '' (all) when the engine is elsewhere. */
  publishIp?: string;
  heapMb?: Partial<Record<'kafka' | 'connect' | 'elasticsearch', number>>;
  /** Whose images: the registries' (`official`, the default) or the harness's own (`built`, built-images.ts). */
  imageSet?: ImageSet;
}

export const IMAGE_SETS = ['official', 'built'] as const;
export type ImageSet = (typeof IMAGE_SETS)[number];
