import { ONE_NODE_BROKER_SETTINGS } from '../../provision/jvm-archives.ts';
import { HOST, PG_DATABASE, PG_PASSWORD, PG_USER } from '../../stack/context.ts';
import { CONNECT_GROUP } from '../../stack/services/connect.ts';
import { PG_SETTINGS } from '../../stack/services/postgres.ts';
import { extraPluginDirs } from '../../stack/plugin-path.ts';
import { internalTopicSettings, workerSettingsMap } from '../../stack/worker-settings.ts';

import { IN_IMAGE } from './built-images.ts';
import {
  CONNECT_TOPICS,
  LABEL,
  NET,
  PORT,
  SINK_PLUGIN_TARGET,
  type ContainerDef,
  type ContainerService,
  type PlanOptions,
} from './plan.ts';

/** One container definition per service, as plain data. */
function labels(o: PlanOptions, stack: string, service: ContainerService): Record<string, string> {
  return { [LABEL.stack]: stack, [LABEL.run]: o.runId, [LABEL.service]: service };
}

export function toxiproxyDef(o: PlanOptions, stack: string): ContainerDef {
  return {
    service: 'toxiproxy',
    image: o.images.toxiproxy,
    // kafka-broker: Connect reaches "the broker" at the address Kafka advertises, i.e. here (see kafkaDef).
    aliases: [NET.toxiproxy, NET.kafkaBroker],
    env: {},
    // The image's own default plus per-proxy byte counters (what shows that a toxic saw traffic).
    command: ['-host=0.0.0.0', '-proxy-metrics'],
    ports: [{ container: PORT.toxiproxyApi, host: o.ports.toxiproxy }],
    bindMounts: [],
    labels: labels(o, stack, 'toxiproxy'),
    startupTimeoutMs: 60_000,
    stopGraceSeconds: 10,
  };
}

export function postgresDef(o: PlanOptions, stack: string): ContainerDef {
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
export function kafkaDef(o: PlanOptions, stack: string): ContainerDef {
  const heap = o.heapMb?.kafka ?? 512;
  if (o.imageSet === 'built') return builtKafkaDef(o, stack, heap);
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

export function elasticsearchDef(o: PlanOptions, stack: string): ContainerDef {
  const heap = o.heapMb?.elasticsearch ?? 1024;
  const def = elasticsearchOfficialDef(o, stack, heap);
  if (o.imageSet !== 'built') return def;
  // The integ-test distribution has no machine learning module, so no setting for it either.
  const env = Object.fromEntries(Object.entries(def.env).filter(([k]) => k !== 'xpack.ml.enabled'));
  // The distribution binds to loopback by default (the official image's own config says 0.0.0.0).
  return { ...def, env: { ...env, 'network.host': '0.0.0.0' } };
}

function elasticsearchOfficialDef(o: PlanOptions, stack: string, heap: number): ContainerDef {
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
    // Two JVM starts (bin/elasticsearch's launcher, then the server pre-touching its heap): minutes on a busy host.
    startupTimeoutMs: 300_000,
    stopGraceSeconds: 30,
  };
}

/**
 * Debezium's Connect image. Its entrypoint turns CONNECT_FOO_BAR into foo.bar in the worker config, but
 * exports CONNECT_OFFSET_FLUSH_INTERVAL_MS, CONNECT_TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS and the converters
 * from its own variables (OFFSET_FLUSH_INTERVAL_MS, SHUTDOWN_TIMEOUT, KEY_/VALUE_CONVERTER) with defaults,
 * overwriting any CONNECT_ form of those: they must be set by those names.
 */
const IMAGE_OWN: Record<string, string> = {
  'key.converter': 'KEY_CONVERTER',
  'value.converter': 'VALUE_CONVERTER',
  'offset.flush.interval.ms': 'OFFSET_FLUSH_INTERVAL_MS',
  'task.shutdown.graceful.timeout.ms': 'SHUTDOWN_TIMEOUT',
};

/** Worker settings as the image's environment: its own names where it has them, CONNECT_FOO_BAR otherwise. */
export function workerEnv(settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings).map(([k, v]) => [IMAGE_OWN[k] ?? `CONNECT_${k.toUpperCase().replace(/\./g, '_')}`, v]),
  );
}

export function connectDef(o: PlanOptions, stack: string): ContainerDef {
  const heap = o.heapMb?.connect ?? 1024;
  if (o.imageSet === 'built') return builtConnectDef(o, stack, heap);
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
      // Converters, offset flushing, rebalance delay, failover, internal topics: the local stack's (worker-settings.ts).
      ...workerEnv({ ...workerSettingsMap(), ...internalTopicSettings('single') }),
      HEAP_OPTS: `-Xms${heap}m -Xmx${heap}m`,
      // plugin.discovery stays at its default: the image's other plugins may lack the service manifests
      // that the local stack's service_load relies on.
    },
    ports: [{ container: PORT.connect, host: o.ports.connect }],
    // The user's own plugin directories (--plugin-path) next to ours, in the image's plugin path.
    bindMounts: [
      { source: o.sinkPluginDir, target: SINK_PLUGIN_TARGET, mode: 'ro' },
      ...extraPluginDirs().map((d, i) => ({
        source: d,
        target: `/kafka/connect/user-plugins-${i + 1}`,
        mode: 'ro' as const,
      })),
    ],
    labels: labels(o, stack, 'connect'),
    startupTimeoutMs: 180_000,
    stopGraceSeconds: 30,
  };
}

/** A properties file's text (the built images' entrypoints write a variable holding it to a file). */
export function propertiesText(obj: Record<string, string | number | boolean>): string {
  return Object.entries(obj)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

/** The KRaft controller's port inside the built Kafka image (loopback: a single node votes for itself). */
const BUILT_CONTROLLER_PORT = 9094;

/**
 * The built Kafka image runs the broker with these properties, the same listeners as KafkaContainer gives
 * the official image: BROKER (9092, inter-broker too) advertised as kafka-broker, Toxiproxy's alias, and
 * PLAINTEXT (9093) advertised as the published host port for the harness.
 */
export function builtBrokerProperties(o: PlanOptions): Record<string, string | number | boolean> {
  return {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${BUILT_CONTROLLER_PORT}`,
    listeners: [
      `BROKER://0.0.0.0:${PORT.kafkaBroker}`,
      `PLAINTEXT://0.0.0.0:${PORT.kafkaPlaintext}`,
      `CONTROLLER://127.0.0.1:${BUILT_CONTROLLER_PORT}`,
    ].join(','),
    'advertised.listeners': [
      `BROKER://${NET.kafkaBroker}:${PORT.kafkaBroker}`,
      `PLAINTEXT://${o.host ?? HOST}:${o.ports.kafka}`,
    ].join(','),
    'listener.security.protocol.map': 'BROKER:PLAINTEXT,PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'BROKER',
    'log.dirs': IN_IMAGE.kafkaData,
    'num.partitions': 1,
    ...ONE_NODE_BROKER_SETTINGS,
    'auto.create.topics.enable': true,
    'log.retention.hours': 24,
  };
}

function builtKafkaDef(o: PlanOptions, stack: string, heap: number): ContainerDef {
  return {
    service: 'kafka',
    image: o.images.kafka,
    aliases: [NET.kafka],
    env: { SERVER_PROPERTIES: propertiesText(builtBrokerProperties(o)), KAFKA_HEAP_OPTS: `-Xms${heap}m -Xmx${heap}m` },
    ports: [{ container: PORT.kafkaPlaintext, host: o.ports.kafka }],
    bindMounts: [],
    labels: labels(o, stack, 'kafka'),
    startupTimeoutMs: 180_000,
    stopGraceSeconds: 30,
  };
}

/** The built Connect image's worker: the local stack's settings, with the container network's addresses. */
export function builtWorkerProperties(extraPlugins: number): Record<string, string | number | boolean> {
  const user = Array.from({ length: extraPlugins }, (_, i) => `/opt/connect/user-plugins-${i + 1}`);
  return {
    'bootstrap.servers': `${NET.kafkaBroker}:${PORT.kafkaBroker}`,
    'group.id': CONNECT_GROUP,
    ...workerSettingsMap(),
    'config.storage.topic': CONNECT_TOPICS.config,
    'offset.storage.topic': CONNECT_TOPICS.offset,
    'status.storage.topic': CONNECT_TOPICS.status,
    ...internalTopicSettings('single'),
    listeners: `http://0.0.0.0:${PORT.connect}`,
    'rest.advertised.host.name': NET.connect,
    'rest.advertised.port': PORT.connect,
    'plugin.path': [IN_IMAGE.connectPlugins, ...user].join(','),
    // As the local stack: Debezium's jars and ours have service entries; a user's plugins may not.
    'plugin.discovery': extraPlugins ? 'hybrid_warn' : 'service_load',
  };
}

function builtConnectDef(o: PlanOptions, stack: string, heap: number): ContainerDef {
  const extra = extraPluginDirs();
  return {
    service: 'connect',
    image: o.images.connect,
    aliases: [NET.connect],
    env: {
      WORKER_PROPERTIES: propertiesText(builtWorkerProperties(extra.length)),
      HEAP_OPTS: `-Xms${heap}m -Xmx${heap}m`,
    },
    ports: [{ container: PORT.connect, host: o.ports.connect }],
    // Debezium's plugin and ours are in the image; the user's own plugin directories are mounted.
    bindMounts: extra.map((d, i) => ({ source: d, target: `/opt/connect/user-plugins-${i + 1}`, mode: 'ro' as const })),
    labels: labels(o, stack, 'connect'),
    startupTimeoutMs: 180_000,
    stopGraceSeconds: 30,
  };
}
