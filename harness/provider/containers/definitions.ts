import type { ImageName } from '../../provision/images.ts';
import { HOST, PG_DATABASE, PG_PASSWORD, PG_USER } from '../../stack/context.ts';
import type { Endpoints } from '../../stack/endpoints.ts';
import type { PortPlan } from '../../stack/ports.ts';
import { CONNECT_GROUP } from '../../stack/services/connect.ts';
import { PG_SETTINGS } from '../../stack/services/postgres.ts';
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
export const PROXY_LISTEN: Record<ProxyName, number> = { pg: PORT.postgres, kafka: PORT.kafkaBroker, es: PORT.elasticsearch };

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
}

function labels(o: PlanOptions, stack: string, service: ContainerService): Record<string, string> {
  return { [LABEL.stack]: stack, [LABEL.run]: o.runId, [LABEL.service]: service };
}

function toxiproxyDef(o: PlanOptions, stack: string): ContainerDef {
  return {
    service: 'toxiproxy',
    image: o.images.toxiproxy,
    // kafka-broker: Connect reaches "the broker" at the address Kafka advertises, i.e. here (see kafkaDef).
    aliases: [NET.toxiproxy, NET.kafkaBroker],
    env: {},
    ports: [{ container: PORT.toxiproxyApi, host: o.ports.toxiproxy }],
    bindMounts: [],
    labels: labels(o, stack, 'toxiproxy'),
    startupTimeoutMs: 60_000,
    stopGraceSeconds: 10,
  };
}

function postgresDef(o: PlanOptions, stack: string): ContainerDef {
  return {
    service: 'postgres',
    image: o.images.postgres,
    aliases: [NET.postgres],
    env: { POSTGRES_DB: PG_DATABASE, POSTGRES_USER: PG_USER, POSTGRES_PASSWORD: PG_PASSWORD },
    command: ['postgres', ...Object.entries(PG_SETTINGS).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    ports: [{ container: PORT.postgres, host: o.ports.postgres }],
    bindMounts: [],
    labels: labels(o, stack, 'postgres'),
    startupTimeoutMs: 120_000,
    // Docker's default /dev/shm (64 MB) is too small for Postgres's dynamic shared memory under load.
    shmBytes: 256 * 1024 * 1024,
    // The image's STOPSIGNAL is SIGINT, Postgres's fast shutdown.
    stopGraceSeconds: 30,
  };
}

/**
 * Kafka in KRaft mode through @testcontainers/kafka. Its BROKER listener (9092, inter-broker too) is
 * advertised as `<hostname>:9092`, the hostname being taken from the container's inspect result when it
 * writes its start script (kafka-container.js, updateAdvertisedListeners). Connect must reach the broker
 * through Toxiproxy after the metadata round trip as well, so build.ts hands KafkaContainer the name
 * "kafka-broker" in place of the real hostname, and "kafka-broker" is a network alias of Toxiproxy only,
 * whose kafka proxy listens on :9092 and forwards to kafka:9092. We do not set the container's hostname to
 * "kafka-broker": Docker (since 19.03, see moby's buildEndpointDNSNames) puts a container's hostname in the
 * network's DNS, so that name would resolve to Kafka and Toxiproxy both and Connect would sometimes go
 * around the proxy. The harness uses the PLAINTEXT listener (9093), advertised as the published host port.
 */
function kafkaDef(o: PlanOptions, stack: string): ContainerDef {
  const heap = o.heapMb?.kafka ?? 512;
  return {
    service: 'kafka',
    image: o.images.kafka,
    aliases: [NET.kafka],
    // KafkaContainer sets the listeners, the node id and the offsets topic; these are the local stack's others.
    env: {
      KAFKA_NUM_PARTITIONS: '1',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_LOG_RETENTION_HOURS: '24',
      KAFKA_HEAP_OPTS: `-Xms${heap}m -Xmx${heap}m`,
    },
    ports: [{ container: PORT.kafkaPlaintext, host: o.ports.kafka }],
    bindMounts: [],
    labels: labels(o, stack, 'kafka'),
    startupTimeoutMs: 180_000,
    stopGraceSeconds: 30,
  };
}

function elasticsearchDef(o: PlanOptions, stack: string): ContainerDef {
  const heap = o.heapMb?.elasticsearch ?? 1024;
  return {
    service: 'elasticsearch',
    image: o.images.elasticsearch,
    aliases: [NET.elasticsearch],
    // The image reads settings from variables named like them; these are the local elasticsearch.yml's.
    env: {
      'cluster.name': `outbox-chaos-${stack}`,
      'node.name': 'es-1',
      'discovery.type': 'single-node',
      'xpack.security.enabled': 'false',
      // Disks can be nearly full; watermarks would turn indices read-only mid-test.
      'cluster.routing.allocation.disk.threshold_enabled': 'false',
      // No mmap: no vm.max_map_count requirement on the Docker host.
      'node.store.allow_mmap': 'false',
      'action.destructive_requires_name': 'false',
      // The local stack runs the integ-test distribution, which has no machine learning; neither do we.
      'xpack.ml.enabled': 'false',
      // Overrides the -Xmx2G @testcontainers/elasticsearch writes into jvm.options.d.
      ES_JAVA_OPTS: `-Xms${heap}m -Xmx${heap}m`,
    },
    ports: [{ container: PORT.elasticsearch, host: o.ports.elasticsearch }],
    bindMounts: [],
    labels: labels(o, stack, 'elasticsearch'),
    startupTimeoutMs: 180_000,
    stopGraceSeconds: 30,
  };
}

/**
 * Debezium's Connect image. Its entrypoint turns CONNECT_FOO_BAR into foo.bar in the worker config, but
 * exports CONNECT_OFFSET_FLUSH_INTERVAL_MS, CONNECT_TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS and the converters
 * from its own variables (OFFSET_FLUSH_INTERVAL_MS, SHUTDOWN_TIMEOUT, KEY_/VALUE_CONVERTER) with defaults,
 * overwriting any CONNECT_ form of those: they must be set by those names.
 */
function connectDef(o: PlanOptions, stack: string): ContainerDef {
  const heap = o.heapMb?.connect ?? 1024;
  const json = 'org.apache.kafka.connect.json.JsonConverter';
  return {
    service: 'connect',
    image: o.images.connect,
    aliases: [NET.connect],
    env: {
      // Through Toxiproxy (kafka-broker is its alias), and so is every broker address metadata hands out.
      BOOTSTRAP_SERVERS: `${NET.kafkaBroker}:${PORT.kafkaBroker}`,
      GROUP_ID: CONNECT_GROUP,
      CONFIG_STORAGE_TOPIC: CONNECT_TOPICS.config,
      OFFSET_STORAGE_TOPIC: CONNECT_TOPICS.offset,
      STATUS_STORAGE_TOPIC: CONNECT_TOPICS.status,
      KEY_CONVERTER: json,
      VALUE_CONVERTER: json,
      CONNECT_KEY_CONVERTER_SCHEMAS_ENABLE: 'false',
      CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE: 'false',
      CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_STATUS_STORAGE_REPLICATION_FACTOR: '1',
      CONNECT_OFFSET_STORAGE_PARTITIONS: '1',
      CONNECT_STATUS_STORAGE_PARTITIONS: '1',
      // Commit offsets every second: a crash then replays at most ~1 s of events.
      OFFSET_FLUSH_INTERVAL_MS: '1000',
      // task.shutdown.graceful.timeout.ms
      SHUTDOWN_TIMEOUT: '5000',
      // With one worker, a restarted worker would otherwise wait up to 5 min before taking its tasks back.
      CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS: '0',
      HEAP_OPTS: `-Xms${heap}m -Xmx${heap}m`,
      // plugin.discovery stays at its default: the image's other plugins may lack the service manifests
      // that the local stack's service_load relies on.
    },
    ports: [{ container: PORT.connect, host: o.ports.connect }],
    bindMounts: [{ source: o.sinkPluginDir, target: SINK_PLUGIN_TARGET, mode: 'ro' }],
    labels: labels(o, stack, 'connect'),
    startupTimeoutMs: 180_000,
    stopGraceSeconds: 30,
  };
}

/** The three hops, each from Connect through Toxiproxy to the service's network alias. */
export function proxyDefs(): ProxyDef[] {
  return [
    { name: 'pg', listen: `0.0.0.0:${PROXY_LISTEN.pg}`, upstream: `${NET.postgres}:${PORT.postgres}`, enabled: true },
    { name: 'kafka', listen: `0.0.0.0:${PROXY_LISTEN.kafka}`, upstream: `${NET.kafka}:${PORT.kafkaBroker}`, enabled: true },
    { name: 'es', listen: `0.0.0.0:${PROXY_LISTEN.es}`, upstream: `${NET.elasticsearch}:${PORT.elasticsearch}`, enabled: true },
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
  };
}

export function containersPlan(o: PlanOptions): ContainersPlan {
  const stack = o.stack ?? 'containers';
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(stack)) throw new Error(`stack name "${stack}" is not usable in a Docker network name`);
  return {
    stack,
    runId: o.runId,
    networkPrefix: `outbox-chaos-${stack}-`,
    publishIp: o.publishIp ?? HOST,
    kafkaAdvertisedHost: NET.kafkaBroker,
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
export function portBindings(ports: PortMapping[], publishIp: string): Record<string, { HostIp?: string; HostPort: string }[]> {
  const out: Record<string, { HostIp?: string; HostPort: string }[]> = {};
  for (const p of ports) out[`${p.container}/tcp`] = [publishIp ? { HostIp: publishIp, HostPort: String(p.host) } : { HostPort: String(p.host) }];
  return out;
}
