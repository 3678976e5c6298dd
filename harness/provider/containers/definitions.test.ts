import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGES, resolveImages } from '../../provision/images.ts';
import { PROJECT_ROOT } from '../../provision/paths.ts';
import type { StackContext } from '../../stack/context.ts';
import { portPlan } from '../../stack/ports.ts';
import { initConnect, CONNECT_GROUP } from '../../stack/services/connect.ts';
import { PROXIES } from '../../stack/targets.ts';
import { WORKER_SETTINGS } from '../../stack/worker-settings.ts';
import { containersPlan, portBindings } from './definitions.ts';
import { CONNECT_TOPICS, LABEL, NET, PORT, SINK_PLUGIN_TARGET, type ContainersPlan } from './plan.ts';

const ports = portPlan(18200);
const plan: ContainersPlan = containersPlan({
  ports,
  images: resolveImages({}),
  sinkPluginDir: '/cache/plugins/es-sink-abc/outbox-chaos-es-sink',
  runId: 'r1',
});
const c = plan.containers;

/** "-c k=v" pairs of a postgres command line. */
function pgSettings(cmd: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; cmd && i < cmd.length; i++) {
    if (cmd[i] === '-c') {
      const [k, v] = (cmd[i + 1] as string).split('=');
      out[k as string] = v as string;
    }
  }
  return out;
}

describe('containers: images', () => {
  it('runs the pinned images', () => {
    expect(c.postgres.image).toBe('postgres:15.15');
    expect(c.kafka.image).toBe('confluentinc/cp-kafka:8.1.1');
    expect(c.connect.image).toBe('quay.io/debezium/connect:3.6.1.Final');
    expect(c.elasticsearch.image).toBe('docker.elastic.co/elasticsearch/elasticsearch:9.2.0');
    expect(c.toxiproxy.image).toBe('ghcr.io/shopify/toxiproxy:2.12.0');
  });

  it('runs an overriding image', () => {
    const images = resolveImages({
      OUTBOX_CHAOS_IMAGE_POSTGRES: 'mirror.example:5000/library/postgres:15.15',
      OUTBOX_CHAOS_IMAGE_KAFKA: 'mirror.example/confluentinc/cp-kafka:7.9.2',
    });
    const p = containersPlan({ ports, images, sinkPluginDir: '/x', runId: 'r' });
    expect(p.containers.postgres.image).toBe('mirror.example:5000/library/postgres:15.15');
    expect(p.containers.kafka.image).toBe('mirror.example/confluentinc/cp-kafka:7.9.2');
    expect(p.containers.connect.image).toBe(IMAGES.connect.ref);
  });
});

describe('containers: network names', () => {
  it('gives every service its alias', () => {
    expect(c.postgres.aliases).toEqual(['postgres']);
    expect(c.elasticsearch.aliases).toEqual(['elasticsearch']);
    expect(c.connect.aliases).toEqual(['connect']);
    // KafkaContainer puts the first alias into its controller quorum: it must be Kafka's own name.
    expect(c.kafka.aliases[0]).toBe('kafka');
  });

  it('advertises the broker under a name that only Toxiproxy carries', () => {
    expect(plan.kafkaAdvertisedHost).toBe('kafka-broker');
    expect(c.toxiproxy.aliases).toEqual(['toxiproxy', 'kafka-broker']);
    for (const svc of ['postgres', 'kafka', 'elasticsearch', 'connect'] as const)
      expect(c[svc].aliases).not.toContain('kafka-broker');
    // No container gets it as a hostname either: Docker would put that name in the network's DNS too.
    expect(Object.values(c).some((d) => JSON.stringify(d).includes('"hostname"'))).toBe(false);
  });

  it('has the kafka proxy listen where the advertised address points, forwarding to the BROKER listener', () => {
    const kafka = plan.proxies.find((p) => p.name === 'kafka');
    expect(kafka).toEqual({ name: 'kafka', listen: '0.0.0.0:9092', upstream: 'kafka:9092', enabled: true });
    expect(plan.endpoints.kafkaProxied).toBe(`${plan.kafkaAdvertisedHost}:${PORT.kafkaBroker}`);
  });

  it('has one proxy per hop, named as network faults name them', () => {
    expect(plan.proxies.map((p) => p.name).sort()).toEqual([...PROXIES].sort());
    expect(plan.proxies.find((p) => p.name === 'pg')).toEqual({
      name: 'pg',
      listen: '0.0.0.0:5432',
      upstream: 'postgres:5432',
      enabled: true,
    });
    expect(plan.proxies.find((p) => p.name === 'es')).toEqual({
      name: 'es',
      listen: '0.0.0.0:9200',
      upstream: 'elasticsearch:9200',
      enabled: true,
    });
  });
});

describe('containers: settings', () => {
  it('runs Postgres with logical decoding and the local stack settings', () => {
    const s = pgSettings(c.postgres.command);
    expect(c.postgres.command?.[0]).toBe('postgres');
    expect(s).toMatchObject({
      wal_level: 'logical',
      max_wal_senders: '10',
      max_replication_slots: '10',
      max_connections: '200',
      fsync: 'off',
    });
    expect(c.postgres.env).toEqual({
      POSTGRES_DB: 'mycompany',
      POSTGRES_USER: 'postgres',
      POSTGRES_PASSWORD: 'postgres',
    });
    expect(c.postgres.shmBytes).toBeGreaterThanOrEqual(256 * 1024 * 1024);
  });

  it('runs Elasticsearch single-node, without security, disk watermarks or mmap, on a small heap', () => {
    expect(c.elasticsearch.env).toMatchObject({
      'discovery.type': 'single-node',
      'xpack.security.enabled': 'false',
      'cluster.routing.allocation.disk.threshold_enabled': 'false',
      'node.store.allow_mmap': 'false',
      ES_JAVA_OPTS: '-Xms1024m -Xmx1024m',
    });
  });

  it('runs Kafka with the local broker settings KafkaContainer does not set', () => {
    expect(c.kafka.env).toMatchObject({
      KAFKA_NUM_PARTITIONS: '1',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_HEAP_OPTS: '-Xms512m -Xmx512m',
    });
    // Those KafkaContainer sets itself stay its own (a second value for the same variable is asking for trouble).
    for (const own of [
      'KAFKA_LISTENERS',
      'KAFKA_ADVERTISED_LISTENERS',
      'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
      'KAFKA_NODE_ID',
      'CLUSTER_ID',
    ])
      expect(c.kafka.env).not.toHaveProperty(own);
  });

  it('runs the Connect worker like the local one, bootstrapping through Toxiproxy', () => {
    expect(c.connect.env).toMatchObject({
      BOOTSTRAP_SERVERS: 'kafka-broker:9092',
      GROUP_ID: CONNECT_GROUP,
      CONFIG_STORAGE_TOPIC: 'outbox-chaos-connect-configs',
      OFFSET_STORAGE_TOPIC: 'outbox-chaos-connect-offsets',
      STATUS_STORAGE_TOPIC: 'outbox-chaos-connect-status',
      KEY_CONVERTER: 'org.apache.kafka.connect.json.JsonConverter',
      VALUE_CONVERTER: 'org.apache.kafka.connect.json.JsonConverter',
      // Stock: Kafka's JsonConverter and Debezium's image both default to schemas enabled.
      CONNECT_KEY_CONVERTER_SCHEMAS_ENABLE: 'true',
      CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE: 'true',
      OFFSET_FLUSH_INTERVAL_MS: '1000',
      SHUTDOWN_TIMEOUT: '5000',
      CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS: '0',
    });
    // The image's entrypoint overwrites these CONNECT_ forms from its own variables' defaults.
    for (const lost of [
      'CONNECT_OFFSET_FLUSH_INTERVAL_MS',
      'CONNECT_TASK_SHUTDOWN_GRACEFUL_TIMEOUT_MS',
      'CONNECT_BOOTSTRAP_SERVERS',
      'CONNECT_KEY_CONVERTER',
    ])
      expect(c.connect.env).not.toHaveProperty(lost);
  });

  it('the containers worker and the local worker agree on every setting that changes behaviour', () => {
    // The effective worker config of Debezium's image: CONNECT_FOO_BAR → foo.bar, plus the image's own names.
    const own: Record<string, string> = {
      KEY_CONVERTER: 'key.converter',
      VALUE_CONVERTER: 'value.converter',
      OFFSET_FLUSH_INTERVAL_MS: 'offset.flush.interval.ms',
      SHUTDOWN_TIMEOUT: 'task.shutdown.graceful.timeout.ms',
    };
    const image = Object.fromEntries(
      Object.entries(c.connect.env).flatMap(([k, v]) =>
        own[k] ? [[own[k], v]] : k.startsWith('CONNECT_') ? [[k.slice(8).toLowerCase().replace(/_/g, '.'), v]] : [],
      ),
    );
    const dir = mkdtempSync(join(tmpdir(), 'oc-worker-'));
    try {
      initConnect({
        dir,
        ports: { proxyKafka: 1, connect: 2 },
        artifacts: { pluginPath: ['/p'] },
      } as unknown as StackContext);
      const local = Object.fromEntries(
        readFileSync(join(dir, 'connect', 'connect.properties'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      for (const { key } of WORKER_SETTINGS)
        expect({ key, containers: image[key] }).toEqual({ key, containers: local[key] });
      expect(local['value.converter.schemas.enable']).toBe('true');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses the same internal topic names as the local worker', () => {
    const local = readFileSync(join(PROJECT_ROOT, 'harness/stack/services/connect.ts'), 'utf8');
    for (const t of Object.values(CONNECT_TOPICS)) expect(local).toContain(`'${t}'`);
  });

  it('mounts the sink plugin read-only into the image plugin path', () => {
    expect(c.connect.bindMounts).toEqual([
      {
        source: '/cache/plugins/es-sink-abc/outbox-chaos-es-sink',
        target: '/kafka/connect/outbox-chaos-es-sink',
        mode: 'ro',
      },
    ]);
    expect(SINK_PLUGIN_TARGET.startsWith('/kafka/connect/')).toBe(true);
  });

  it('labels every container with the stack, the run and the service', () => {
    for (const [svc, d] of Object.entries(c))
      expect(d.labels).toEqual({ [LABEL.stack]: 'containers', [LABEL.run]: 'r1', [LABEL.service]: svc });
    expect(plan.networkPrefix).toBe('outbox-chaos-containers-');
  });
});

describe('containers: ports and endpoints', () => {
  it('publishes each service on its port-plan port', () => {
    expect(c.postgres.ports).toEqual([{ container: 5432, host: 18200 }]);
    expect(c.kafka.ports).toEqual([{ container: 9093, host: 18201 }]);
    expect(c.connect.ports).toEqual([{ container: 8083, host: 18204 }]);
    expect(c.elasticsearch.ports).toEqual([{ container: 9200, host: 18205 }]);
    expect(c.toxiproxy.ports).toEqual([{ container: 8474, host: 18207 }]);
    expect(plan.publishIp).toBe('127.0.0.1');
  });

  it('binds published ports to one address, or every one when asked', () => {
    expect(portBindings(c.kafka.ports, '127.0.0.1')).toEqual({
      '9093/tcp': [{ HostIp: '127.0.0.1', HostPort: '18201' }],
    });
    expect(portBindings(c.kafka.ports, '')).toEqual({ '9093/tcp': [{ HostPort: '18201' }] });
  });

  it('gives the harness direct endpoints on 127.0.0.1 and Connect proxied ones through Toxiproxy', () => {
    expect(plan.endpoints).toEqual({
      pgUrl: 'postgresql://postgres:postgres@127.0.0.1:18200/mycompany',
      pg: { host: '127.0.0.1', port: 18200, database: 'mycompany', user: 'postgres', password: 'postgres' },
      pgProxied: { host: 'toxiproxy', port: 5432 },
      kafkaBootstrap: '127.0.0.1:18201',
      kafkaProxied: 'kafka-broker:9092',
      connectUrl: 'http://127.0.0.1:18204',
      esUrl: 'http://127.0.0.1:18205',
      esProxiedUrl: 'http://toxiproxy:9200',
      toxiproxyUrl: 'http://127.0.0.1:18207',
      pluginsFromCache: true,
    });
  });

  it('every proxied endpoint names a proxy listen port on Toxiproxy', () => {
    const listenPorts = plan.proxies.map((p) => Number(p.listen.split(':')[1]));
    expect(plan.endpoints.pgProxied.host).toBe(NET.toxiproxy);
    expect(listenPorts).toContain(plan.endpoints.pgProxied.port);
    expect(listenPorts).toContain(Number(new URL(plan.endpoints.esProxiedUrl).port));
    expect(new URL(plan.endpoints.esProxiedUrl).hostname).toBe(NET.toxiproxy);
    expect(listenPorts).toContain(Number(plan.endpoints.kafkaProxied.split(':')[1]));
  });

  it('reaches a remote engine at its host, published on every interface', () => {
    const p = containersPlan({
      ports,
      images: resolveImages({}),
      sinkPluginDir: '/x',
      runId: 'r',
      host: '172.17.0.1',
      publishIp: '',
    });
    expect(p.publishIp).toBe('');
    expect(p.endpoints.kafkaBootstrap).toBe('172.17.0.1:18201');
    expect(p.endpoints.pgProxied).toEqual({ host: 'toxiproxy', port: 5432 });
  });

  it('refuses a stack name Docker cannot use in a network name', () => {
    expect(() =>
      containersPlan({ ports, images: resolveImages({}), sinkPluginDir: '/x', runId: 'r', stack: 'My Stack' }),
    ).toThrow(/not usable/);
  });
});
