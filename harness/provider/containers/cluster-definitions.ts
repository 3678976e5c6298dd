import { HOST, PG_DATABASE, PG_PASSWORD, PG_USER } from '../../stack/context.ts';
import type { ClusterEndpoints, Endpoints } from '../../stack/endpoints.ts';
import { brokerPorts, type PortPlan } from '../../stack/ports.ts';
import { CONNECT_GROUP } from '../../stack/services/connect.ts';
import { CLUSTER_BROKER_SETTINGS } from '../../stack/services/kafka.ts';
import { CLUSTER_PG_SETTINGS, PG_SETTINGS, primaryConninfo } from '../../stack/services/postgres.ts';
import { internalTopicSettings, workerSettingsMap } from '../../stack/worker-settings.ts';
import { MANIFEST } from '../../provision/manifest.ts';
import { IN_IMAGE, PG_BIN } from './built-images.ts';
import { containersEndpoints } from './definitions.ts';
import {
  CONNECT_TOPICS,
  LABEL,
  NET,
  PORT,
  SINK_PLUGIN_TARGET,
  type ContainerDef,
  type PlanOptions,
  type ProxyDef,
} from './plan.ts';
import { builtWorkerProperties, elasticsearchDef, propertiesText, toxiproxyDef, workerEnv } from './services.ts';

/**
 * The cluster topology as containers, from the same settings as the local cluster (CLUSTER_BROKER_SETTINGS,
 * CLUSTER_PG_SETTINGS, the worker settings, the internal topics' replication): three cp-kafka brokers in
 * combined mode, two Connect workers, a Postgres primary and a standby that streams from it. Plain data,
 * unit-tested; no Docker needed to read it.
 */

/** A cluster member's container: which member, and what it needs beyond a ContainerDef. */
export interface MemberDef extends ContainerDef {
  member: string;
  /** Replaces the image's entrypoint (the standby's base backup before Postgres starts). */
  entrypoint?: string[];
}

/** Ports inside the broker containers, and where Toxiproxy listens for each broker's two proxies. */
export const BROKER_PORT = { plaintext: 9093, proxied: 9092, replication: 9094, controller: 9095 } as const;
const proxyListen = (nodeId: number, replication: boolean): number => (replication ? 29090 : 19090) + nodeId;
/** Toxiproxy's aliases that brokers advertise, so that every address metadata hands out leads through it. */
const brokerAlias = (nodeId: number, replication: boolean): string =>
  `kafka-${nodeId}-${replication ? 'replication' : 'broker'}`;
const PG_PRIMARY_LISTEN = 5433;

const kafkaEnv = (props: Record<string, string | number | boolean>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(props).map(([k, v]) => [`KAFKA_${k.toUpperCase().replace(/\./g, '_')}`, String(v)]),
  );

function labels(o: PlanOptions, stack: string, member: string): Record<string, string> {
  return { [LABEL.stack]: stack, [LABEL.run]: o.runId, [LABEL.service]: member };
}

/** The Postgres major of the image (17 brings failover slots). */
export function postgresMajor(image: string): number {
  const m = /:(\d+)/.exec(image);
  return m ? Number(m[1]) : 15;
}

/**
 * On Postgres 17 and later, the standby keeps a copy of every failover slot (sync_replication_slots) through
 * its own physical slot on the primary, and the primary holds logical decoding back until it has it
 * (synchronized_standby_slots): a connector with slot.failover=true then finds its slot on the promoted
 * standby at a position it has confirmed. Postgres 15 and 16 have none of this.
 */
export function failoverSlotSettings(major: number, role: 'primary' | 'standby'): Record<string, string> {
  if (major < 17) return {};
  return role === 'primary'
    ? { synchronized_standby_slots: 'postgres_2' }
    : { sync_replication_slots: 'on', hot_standby_feedback: 'on', primary_slot_name: 'postgres_2' };
}

/** The major a plan runs: the built image's is the manifest's (its tag is a hash, not a version). */
function planPostgresMajor(o: PlanOptions): number {
  return o.imageSet === 'built' ? Number(MANIFEST.postgres.major) : postgresMajor(o.images.postgres);
}

function postgresMember(o: PlanOptions, stack: string, n: 1 | 2): MemberDef {
  const major = planPostgresMajor(o);
  const settings = {
    ...PG_SETTINGS,
    ...CLUSTER_PG_SETTINGS,
    ...failoverSlotSettings(major, n === 1 ? 'primary' : 'standby'),
  };
  const flags = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  const member = `postgres-${n}`;
  const base: MemberDef = {
    member,
    service: 'postgres',
    image: o.images.postgres,
    aliases: [member],
    env: { POSTGRES_DB: PG_DATABASE, POSTGRES_USER: PG_USER, POSTGRES_PASSWORD: PG_PASSWORD, PGPASSWORD: PG_PASSWORD },
    ports: [{ container: PORT.postgres, host: n === 1 ? o.ports.postgres : (o.ports.postgresStandby as number) }],
    bindMounts: [],
    labels: labels(o, stack, member),
    startupTimeoutMs: 120_000,
    shmBytes: 256 * 1024 * 1024,
    stopGraceSeconds: 30,
  };
  if (o.imageSet === 'built') return builtPostgresMember(base, n, flags, major);
  if (n === 1) {
    // Replication connections from the network (the standby's, Debezium's walsender) need their own hba line.
    const hba =
      `echo 'echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"' ` +
      `> /docker-entrypoint-initdb.d/10-replication.sh`;
    return {
      ...base,
      entrypoint: [
        'bash',
        '-c',
        `mkdir -p /docker-entrypoint-initdb.d && ${hba} && exec docker-entrypoint.sh postgres ${flags}`,
      ],
    };
  }
  // A standby: a base backup of the primary into an empty data directory (-R: standby.signal and
  // primary_conninfo), then Postgres in recovery; on 17, with a physical slot on the primary for slot sync.
  const slot = major >= 17 ? ' -C -S postgres_2' : '';
  const backup =
    `until pg_basebackup -d "$PRIMARY_CONNINFO" -D "$PGDATA" -X stream -R${slot}; ` +
    `do rm -rf "$PGDATA"/*; sleep 1; done; exec postgres ${flags}`;
  return {
    ...base,
    env: { ...base.env, PRIMARY_CONNINFO: primaryConninfo('postgres-1', PORT.postgres, member) },
    entrypoint: [
      'bash',
      '-c',
      `mkdir -p "$PGDATA" && chown postgres "$PGDATA" && chmod 700 "$PGDATA" && exec gosu postgres bash -c '${backup}'`,
    ],
  };
}

/**
 * Both access rules the members need, in a file of their own (hba_file): a standby's base backup copies the
 * primary's data directory, and either may be the primary after a failover.
 */
const BUILT_HBA =
  "printf '%s\\n' 'local all all trust' 'host all all all scram-sha-256' " +
  "'host replication all all scram-sha-256' > /tmp/pg_hba.conf";

/**
 * The built image (Debian's Postgres, run as postgres): the primary through the image's entrypoint (initdb on
 * the first start); a standby's first start takes a base backup of the primary (-R: standby.signal and
 * primary_conninfo) and later starts keep its data (a promoted standby restarts as the primary it became).
 */
function builtPostgresMember(base: MemberDef, n: 1 | 2, flags: string, major: number): MemberDef {
  const server = `-c hba_file=/tmp/pg_hba.conf ${flags}`;
  if (n === 1)
    return { ...base, entrypoint: ['bash', '-c', `${BUILT_HBA} && exec sh /entrypoint.sh postgres ${server}`] };
  const data = IN_IMAGE.pgData;
  const slot = major >= 17 ? ' -C -S postgres_2' : '';
  const backup =
    `if [ ! -s ${data}/PG_VERSION ]; then ` +
    `until ${PG_BIN}/pg_basebackup -d "$PRIMARY_CONNINFO" -D ${data} -X stream -R${slot}; ` +
    `do find ${data} -mindepth 1 -delete; sleep 1; done; fi`;
  const start = `exec ${PG_BIN}/postgres -D ${data} -c 'listen_addresses=*' -c unix_socket_directories=/tmp ${server}`;
  return {
    ...base,
    env: { ...base.env, PRIMARY_CONNINFO: primaryConninfo('postgres-1', PORT.postgres, base.member) },
    entrypoint: ['bash', '-c', `${BUILT_HBA} && ${backup}; ${start}`],
  };
}

/** A broker's settings by property name: the official image reads them as KAFKA_ variables, the built one a file. */
export function clusterBrokerSettings(o: PlanOptions, nodeId: number): Record<string, string | number | boolean> {
  const all = brokerPorts(o.ports);
  const b = all.find((x) => x.nodeId === nodeId);
  if (!b) throw new Error(`no broker ${nodeId} in the plan`);
  const listeners = [
    `PLAINTEXT://0.0.0.0:${BROKER_PORT.plaintext}`,
    `PROXIED://0.0.0.0:${BROKER_PORT.proxied}`,
    `REPLICATION://0.0.0.0:${BROKER_PORT.replication}`,
    `CONTROLLER://0.0.0.0:${BROKER_PORT.controller}`,
  ];
  // The harness's listener at its published port; Connect's and the replication listener at Toxiproxy's aliases.
  const advertised = [
    `PLAINTEXT://${o.host ?? HOST}:${b.direct}`,
    `PROXIED://${brokerAlias(nodeId, false)}:${proxyListen(nodeId, false)}`,
    `REPLICATION://${brokerAlias(nodeId, true)}:${proxyListen(nodeId, true)}`,
  ];
  return {
    'node.id': nodeId,
    'process.roles': 'broker,controller',
    'controller.quorum.voters': all.map((x) => `${x.nodeId}@kafka-${x.nodeId}:${BROKER_PORT.controller}`).join(','),
    listeners: listeners.join(','),
    'advertised.listeners': advertised.join(','),
    'listener.security.protocol.map':
      'PLAINTEXT:PLAINTEXT,PROXIED:PLAINTEXT,REPLICATION:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'REPLICATION',
    'num.partitions': 1,
    'auto.create.topics.enable': true,
    'group.initial.rebalance.delay.ms': 0,
    'log.retention.hours': 24,
    ...CLUSTER_BROKER_SETTINGS,
  };
}

/**
 * The built Kafka image's log dir is formatted at build time for a single node 1; a cluster member formats
 * its own on its first start (its node id, the stack's cluster id), and keeps it over restarts (the marker).
 */
const BUILT_KAFKA_FORMAT = [
  `if [ ! -e ${IN_IMAGE.kafkaData}.formatted ]; then`,
  `find ${IN_IMAGE.kafkaData} -mindepth 1 -delete &&`,
  `printf '%s\\n' "$SERVER_PROPERTIES" > /tmp/format.properties &&`,
  `${IN_IMAGE.jdk}/bin/java -Dlog4j2.configurationFile=${IN_IMAGE.log4j} -cp '${IN_IMAGE.kafkaLib}/*'`,
  `kafka.tools.StorageTool format -t "$CLUSTER_ID" -c /tmp/format.properties &&`,
  `touch ${IN_IMAGE.kafkaData}.formatted || exit 1; fi;`,
  'exec sh /opt/kafka/entrypoint.sh',
].join(' ');

function brokerMember(o: PlanOptions, stack: string, nodeId: number, clusterId: string): MemberDef {
  const b = brokerPorts(o.ports).find((x) => x.nodeId === nodeId);
  if (!b) throw new Error(`no broker ${nodeId} in the plan`);
  const member = `kafka-${nodeId}`;
  const heap = o.heapMb?.kafka ?? 512;
  const settings = clusterBrokerSettings(o, nodeId);
  const heapOpts = `-Xms${heap}m -Xmx${heap}m`;
  const built = o.imageSet === 'built';
  return {
    member,
    service: 'kafka',
    image: o.images.kafka,
    aliases: [member],
    env: built
      ? {
          CLUSTER_ID: clusterId,
          SERVER_PROPERTIES: propertiesText({ ...settings, 'log.dirs': IN_IMAGE.kafkaData }),
          KAFKA_HEAP_OPTS: heapOpts,
        }
      : { CLUSTER_ID: clusterId, ...kafkaEnv(settings), KAFKA_HEAP_OPTS: heapOpts },
    ...(built ? { entrypoint: ['sh', '-c', BUILT_KAFKA_FORMAT] } : {}),
    ports: [{ container: BROKER_PORT.plaintext, host: b.direct }],
    bindMounts: [],
    labels: labels(o, stack, member),
    startupTimeoutMs: 180_000,
    stopGraceSeconds: 30,
  };
}

function workerMember(o: PlanOptions, stack: string, n: 1 | 2): MemberDef {
  const member = `connect-${n}`;
  const heap = o.heapMb?.connect ?? 768;
  const bootstrap = brokerPorts(o.ports)
    .map((b) => `${brokerAlias(b.nodeId, false)}:${proxyListen(b.nodeId, false)}`)
    .join(',');
  const base = {
    member,
    service: 'connect' as const,
    image: o.images.connect,
    aliases: [member],
    ports: [{ container: PORT.connect, host: n === 1 ? o.ports.connect : (o.ports.connect2 as number) }],
    labels: labels(o, stack, member),
    startupTimeoutMs: 180_000,
    stopGraceSeconds: 30,
  };
  if (o.imageSet === 'built') {
    // The single worker's properties, with the cluster's brokers, replication and the member's own name.
    const props = {
      ...builtWorkerProperties(0),
      'bootstrap.servers': bootstrap,
      ...internalTopicSettings('cluster'),
      'rest.advertised.host.name': member,
    };
    // Debezium's plugin and ours are in the image.
    return {
      ...base,
      env: { WORKER_PROPERTIES: propertiesText(props), HEAP_OPTS: `-Xms${heap}m -Xmx${heap}m` },
      bindMounts: [],
    };
  }
  return {
    ...base,
    env: {
      BOOTSTRAP_SERVERS: bootstrap,
      GROUP_ID: CONNECT_GROUP,
      CONFIG_STORAGE_TOPIC: CONNECT_TOPICS.config,
      OFFSET_STORAGE_TOPIC: CONNECT_TOPICS.offset,
      STATUS_STORAGE_TOPIC: CONNECT_TOPICS.status,
      ...workerEnv({ ...workerSettingsMap(), ...internalTopicSettings('cluster') }),
      // Workers forward REST requests to the leader at its advertised name.
      ADVERTISED_HOST_NAME: member,
      HEAP_OPTS: `-Xms${heap}m -Xmx${heap}m`,
    },
    bindMounts: [{ source: o.sinkPluginDir, target: SINK_PLUGIN_TARGET, mode: 'ro' }],
  };
}

/** Every proxy: both pg proxies to the primary, each broker's two, Elasticsearch's. */
export function clusterProxyDefs(o: PlanOptions): ProxyDef[] {
  return [
    { name: 'pg', listen: `0.0.0.0:${PORT.postgres}`, upstream: `postgres-1:${PORT.postgres}`, enabled: true },
    {
      name: 'pg-primary',
      listen: `0.0.0.0:${PG_PRIMARY_LISTEN}`,
      upstream: `postgres-1:${PORT.postgres}`,
      enabled: true,
    },
    ...brokerPorts(o.ports).flatMap((b) => [
      {
        name: `kafka-${b.nodeId}`,
        listen: `0.0.0.0:${proxyListen(b.nodeId, false)}`,
        upstream: `kafka-${b.nodeId}:${BROKER_PORT.proxied}`,
        enabled: true,
      },
      {
        name: `kafka-${b.nodeId}-replication`,
        listen: `0.0.0.0:${proxyListen(b.nodeId, true)}`,
        upstream: `kafka-${b.nodeId}:${BROKER_PORT.replication}`,
        enabled: true,
      },
    ]),
    {
      name: 'es',
      listen: `0.0.0.0:${PORT.elasticsearch}`,
      upstream: `${NET.elasticsearch}:${PORT.elasticsearch}`,
      enabled: true,
    },
  ] as ProxyDef[];
}

/** The harness's endpoints: published ports on the host; the application's Postgres through pg-primary. */
export function clusterContainersEndpoints(p: PortPlan, host: string = HOST): Endpoints {
  const single = containersEndpoints(p, host);
  const brokers = brokerPorts(p);
  const cluster: ClusterEndpoints = {
    brokers: brokers.map((b) => ({
      member: `kafka-${b.nodeId}`,
      nodeId: b.nodeId,
      direct: `${host}:${b.direct}`,
      proxy: `kafka-${b.nodeId}`,
      replicationProxy: `kafka-${b.nodeId}-replication`,
    })),
    workers: [p.connect, p.connect2 as number].map((port, i) => ({
      member: `connect-${i + 1}`,
      url: `http://${host}:${port}`,
      workerId: `connect-${i + 1}:${PORT.connect}`,
    })),
    postgres: [p.postgres, p.postgresStandby as number].map((port, i) => ({
      member: `postgres-${i + 1}`,
      host,
      port,
      upstream: `postgres-${i + 1}:${PORT.postgres}`,
    })),
    primaryProxies: ['pg', 'pg-primary'],
  };
  const primary = p.proxyPostgresPrimary as number;
  return {
    ...single,
    pgUrl: `postgresql://${PG_USER}:${PG_PASSWORD}@${host}:${primary}/${PG_DATABASE}`,
    pg: { ...single.pg, port: primary },
    kafkaBootstrap: cluster.brokers.map((b) => b.direct).join(','),
    kafkaProxied: brokers.map((b) => `${brokerAlias(b.nodeId, false)}:${proxyListen(b.nodeId, false)}`).join(','),
    cluster,
  };
}

export interface ClusterContainersPlan {
  stack: string;
  runId: string;
  networkPrefix: string;
  publishIp: string;
  /** In start order, one group after another (the members of a group side by side). */
  groups: MemberDef[][];
  proxies: ProxyDef[];
  endpoints: Endpoints;
}

export function clusterContainersPlan(o: PlanOptions, clusterId: string): ClusterContainersPlan {
  const stack = o.stack ?? 'containers-cluster';
  const toxiproxy = toxiproxyDef(o, stack);
  // Toxiproxy answers for every address the brokers advertise, and publishes pg-primary for the harness.
  const aliases = brokerPorts(o.ports).flatMap((b) => [brokerAlias(b.nodeId, false), brokerAlias(b.nodeId, true)]);
  const tox: MemberDef = {
    ...toxiproxy,
    member: 'toxiproxy',
    aliases: [NET.toxiproxy, ...aliases],
    ports: [...toxiproxy.ports, { container: PG_PRIMARY_LISTEN, host: o.ports.proxyPostgresPrimary as number }],
  };
  const es: MemberDef = { ...elasticsearchDef(o, stack), member: 'elasticsearch' };
  return {
    stack,
    runId: o.runId,
    networkPrefix: `outbox-chaos-${stack}-`,
    publishIp: o.publishIp ?? HOST,
    groups: [
      [tox, es, postgresMember(o, stack, 1), ...[1, 2, 3].map((n) => brokerMember(o, stack, n, clusterId))],
      [postgresMember(o, stack, 2), workerMember(o, stack, 1), workerMember(o, stack, 2)],
    ],
    proxies: clusterProxyDefs(o),
    endpoints: clusterContainersEndpoints(o.ports, o.host ?? HOST),
  };
}
