import { createHash } from 'node:crypto';
import { MANIFEST } from '../../provision/manifest.ts';

/**
 * The `built` image set: images the harness builds itself from the artifacts the local provider provisions
 * (no registry needed). Plain data and text here (Dockerfiles, entrypoints, tags); image-build.ts runs them.
 *
 *   base           Debian bookworm (debootstrap minbase, imported), with the machine's local CA certificates
 *   jvm            base + a JDK >= 21 copied from this machine (Elasticsearch needs 21; Kafka runs on it too)
 *   kafka-lib      jvm + the Kafka jars (broker and Connect share them)
 *   postgres       base + Debian's postgresql-15
 *   kafka          kafka-lib + a KRaft log dir formatted at build time
 *   connect        kafka-lib + Debezium's Postgres connector and our sink plugin
 *   elasticsearch  jvm + the integ-test distribution
 *   toxiproxy      base + the toxiproxy-server binary
 */

export const BUILT_LAYERS = [
  'base',
  'jvm',
  'kafka-lib',
  'postgres',
  'kafka',
  'connect',
  'elasticsearch',
  'toxiproxy',
] as const;
export type BuiltLayer = (typeof BUILT_LAYERS)[number];

/** The repository every built image is tagged in; the tag is a hash of its inputs. */
export const BUILT_REPO = 'outbox-chaos';
/** Every built image carries this label, so `images` can list and prune them. */
export const BUILT_LABEL = 'outbox-chaos.built';

export const DEBIAN = { suite: 'bookworm', variant: 'minbase', mirror: 'http://deb.debian.org/debian' } as const;

/** Where things live inside the images. */
export const IN_IMAGE = {
  jdk: '/opt/jdk',
  kafkaLib: '/opt/kafka/lib',
  kafkaData: '/var/lib/kafka/data',
  connectPlugins: '/opt/connect/plugins',
  elasticsearch: '/opt/elasticsearch',
  pgData: '/var/lib/postgresql/data',
  log4j: '/opt/kafka/log4j2.properties',
} as const;

/** A directory of the build context filled from the machine: copied (hard-linked where possible). */
export interface ContextDir {
  /** Name inside the build context. */
  name: string;
  source: string;
}

export interface LayerSpec {
  layer: BuiltLayer;
  /** The layer it builds on ('base' is imported from a debootstrap tree instead). */
  parent?: BuiltLayer;
  dockerfile: string;
  /** Small files written into the context. */
  files: Record<string, string>;
  dirs: ContextDir[];
  /** What the artifacts are, as text (their integrity records): part of the tag's hash with everything above. */
  identities: string[];
}

/** `outbox-chaos/<layer>:<16 hex of a hash of the spec and the parent's tag>`. */
export function layerTag(spec: LayerSpec, parentTag: string | undefined): string {
  const h = createHash('sha256');
  const feed = (s: string) => h.update(`${s.length}:${s}`);
  feed(spec.layer);
  feed(parentTag ?? '');
  feed(spec.dockerfile);
  for (const k of Object.keys(spec.files).sort()) {
    feed(k);
    feed(spec.files[k] as string);
  }
  for (const d of spec.dirs) feed(d.name);
  for (const i of spec.identities) feed(i);
  return `${BUILT_REPO}/${spec.layer}:${h.digest('hex').slice(0, 16)}`;
}

const APT = 'DEBIAN_FRONTEND=noninteractive apt-get';

/** Kafka's jars log through log4j2; in a container everything goes to stdout, for `docker logs`. */
const LOG4J = `status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.reflections.name = org.reflections
logger.reflections.level = error
`;

/** Properties from an environment variable holding the whole file (the definitions write it: see services.ts). */
const KAFKA_ENTRY = `#!/bin/sh
set -e
printf '%s\\n' "$SERVER_PROPERTIES" > /tmp/server.properties
exec ${IN_IMAGE.jdk}/bin/java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \\
  -Dlog4j2.configurationFile=${IN_IMAGE.log4j} -cp '${IN_IMAGE.kafkaLib}/*' kafka.Kafka /tmp/server.properties
`;

const CONNECT_ENTRY = `#!/bin/sh
set -e
printf '%s\\n' "$WORKER_PROPERTIES" > /tmp/worker.properties
exec ${IN_IMAGE.jdk}/bin/java $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \\
  -Dlog4j2.configurationFile=${IN_IMAGE.log4j} -cp '${IN_IMAGE.kafkaLib}/*' \\
  org.apache.kafka.connect.cli.ConnectDistributed /tmp/worker.properties
`;

/**
 * Like the official image: every variable whose name has a dot is a setting (-Ename=value); ES_JAVA_OPTS is
 * read by bin/elasticsearch itself.
 */
const ES_ENTRY = `#!/bin/bash
set -e
args=()
while IFS= read -r -d '' kv; do
  case "\${kv%%=*}" in *.*) args+=("-E\${kv}") ;; esac
done < <(env -0)
exec ${IN_IMAGE.elasticsearch}/bin/elasticsearch "\${args[@]}" "$@"
`;

/**
 * Postgres like the official image: POSTGRES_USER/PASSWORD/DB on the first start, then the server with the
 * command's settings ("postgres -c k=v ..."), listening on every address of the container.
 */
export const PG_BIN = `/usr/lib/postgresql/${MANIFEST.postgres.major}/bin`;
const PG_ENTRY = `#!/bin/sh
set -e
[ "$1" = postgres ] && shift
if [ ! -s "${IN_IMAGE.pgData}/PG_VERSION" ]; then
  printf '%s\\n' "$POSTGRES_PASSWORD" > /tmp/pwfile
  ${PG_BIN}/initdb -D ${IN_IMAGE.pgData} -U "$POSTGRES_USER" --pwfile=/tmp/pwfile \\
    --auth-host=scram-sha-256 --auth-local=trust >/dev/null
  rm -f /tmp/pwfile
  echo "host all all 0.0.0.0/0 scram-sha-256" >> ${IN_IMAGE.pgData}/pg_hba.conf
  if [ "$POSTGRES_DB" != "$POSTGRES_USER" ]; then
    echo "CREATE DATABASE \\"$POSTGRES_DB\\"" | ${PG_BIN}/postgres --single -D ${IN_IMAGE.pgData} postgres >/dev/null
  fi
fi
exec ${PG_BIN}/postgres -D ${IN_IMAGE.pgData} -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
`;

/** KRaft storage formatted once, at build time: node 1, the log dir the entrypoint's properties name. */
const KAFKA_FORMAT_PROPS = `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9094
listeners=BROKER://0.0.0.0:9092,CONTROLLER://127.0.0.1:9094
advertised.listeners=BROKER://127.0.0.1:9092
listener.security.protocol.map=BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=BROKER
controller.listener.names=CONTROLLER
log.dirs=${IN_IMAGE.kafkaData}
`;

export interface BuiltInputs {
  jdkHome: string;
  /** What the JDK is (its release file and a listing), for the hash. */
  jdkIdentity: string;
  kafkaLib: string;
  /** plugin.path entries, each holding one plugin directory (Debezium's, ours). */
  pluginDirs: string[];
  esHome: string;
  toxiproxyBin: string;
  /** The machine's local CA certificates: file name → PEM text. */
  caCerts: Record<string, string>;
  /** The integrity record of each artifact, keyed by its path. */
  identity: (path: string) => string;
}

/** Every layer of the set, parents first. */
export function layerSpecs(i: BuiltInputs): LayerSpec[] {
  const ca = Object.fromEntries(Object.entries(i.caCerts).map(([k, v]) => [`ca/${k}`, v]));
  const sh = (lines: string[]) => lines.join(' && \\\n    ');
  return [
    {
      layer: 'base',
      // The imported debootstrap tree comes first (image-build.ts); this adds the local CAs on top of it.
      dockerfile: `FROM scratch-base
COPY ca/ /usr/local/share/ca-certificates/
RUN ${sh([
        `${APT} update -q`,
        `${APT} install -y -q --no-install-recommends ca-certificates`,
        'update-ca-certificates',
        `${APT} clean`,
        'rm -rf /var/lib/apt/lists/*',
      ])}
`,
      files: { ...ca, 'ca/.keep': '' },
      dirs: [],
      identities: [`${DEBIAN.suite} ${DEBIAN.variant} ${DEBIAN.mirror}`],
    },
    {
      layer: 'jvm',
      parent: 'base',
      dockerfile: `FROM parent
COPY jdk/ ${IN_IMAGE.jdk}/
ENV JAVA_HOME=${IN_IMAGE.jdk}
`,
      files: {},
      dirs: [{ name: 'jdk', source: i.jdkHome }],
      identities: [i.jdkIdentity],
    },
    {
      layer: 'kafka-lib',
      parent: 'jvm',
      dockerfile: `FROM parent
COPY lib/ ${IN_IMAGE.kafkaLib}/
COPY log4j2.properties ${IN_IMAGE.log4j}
`,
      files: { 'log4j2.properties': LOG4J },
      dirs: [{ name: 'lib', source: i.kafkaLib }],
      identities: [i.identity(i.kafkaLib)],
    },
    {
      layer: 'postgres',
      parent: 'base',
      dockerfile: `FROM parent
RUN ${sh([
        `${APT} update -q`,
        `${APT} install -y -q --no-install-recommends ${MANIFEST.postgres.aptPackage}`,
        `${APT} clean`,
        'rm -rf /var/lib/apt/lists/*',
        `mkdir -p ${IN_IMAGE.pgData}`,
        `chown postgres:postgres ${IN_IMAGE.pgData}`,
        `chmod 700 ${IN_IMAGE.pgData}`,
      ])}
COPY entrypoint.sh /entrypoint.sh
USER postgres
STOPSIGNAL SIGINT
ENTRYPOINT ["/bin/sh", "/entrypoint.sh"]
CMD ["postgres"]
`,
      files: { 'entrypoint.sh': PG_ENTRY },
      dirs: [],
      identities: [MANIFEST.postgres.aptPackage],
    },
    {
      layer: 'kafka',
      parent: 'kafka-lib',
      dockerfile: `FROM parent
COPY format.properties entrypoint.sh /opt/kafka/
RUN ${IN_IMAGE.jdk}/bin/java -Dlog4j2.configurationFile=${IN_IMAGE.log4j} -cp '${IN_IMAGE.kafkaLib}/*' \\
    kafka.tools.StorageTool format -t ${kafkaClusterId()} -c /opt/kafka/format.properties
ENTRYPOINT ["/bin/sh", "/opt/kafka/entrypoint.sh"]
`,
      files: { 'format.properties': KAFKA_FORMAT_PROPS, 'entrypoint.sh': KAFKA_ENTRY },
      dirs: [],
      identities: [],
    },
    {
      layer: 'connect',
      parent: 'kafka-lib',
      dockerfile: `FROM parent
${i.pluginDirs.map((_, n) => `COPY plugins-${n}/ ${IN_IMAGE.connectPlugins}/`).join('\n')}
COPY entrypoint.sh /opt/connect/entrypoint.sh
ENTRYPOINT ["/bin/sh", "/opt/connect/entrypoint.sh"]
`,
      files: { 'entrypoint.sh': CONNECT_ENTRY },
      dirs: i.pluginDirs.map((source, n) => ({ name: `plugins-${n}`, source })),
      identities: i.pluginDirs.map((d) => i.identity(d)),
    },
    {
      layer: 'elasticsearch',
      parent: 'jvm',
      // Elasticsearch refuses to run as root.
      dockerfile: `FROM parent
RUN useradd --system --uid 1000 --home-dir ${IN_IMAGE.elasticsearch} elasticsearch
COPY --chown=1000:1000 es/ ${IN_IMAGE.elasticsearch}/
COPY entrypoint.sh /entrypoint.sh
ENV ES_JAVA_HOME=${IN_IMAGE.jdk}
USER elasticsearch
WORKDIR ${IN_IMAGE.elasticsearch}
ENTRYPOINT ["/bin/bash", "/entrypoint.sh"]
`,
      files: { 'entrypoint.sh': ES_ENTRY },
      dirs: [{ name: 'es', source: i.esHome }],
      identities: [i.identity(i.esHome)],
    },
    {
      layer: 'toxiproxy',
      parent: 'base',
      dockerfile: `FROM parent
COPY toxiproxy-server /usr/local/bin/toxiproxy-server
ENTRYPOINT ["/usr/local/bin/toxiproxy-server", "-host=0.0.0.0", "-port=8474"]
`,
      files: {},
      dirs: [{ name: 'toxiproxy-server', source: i.toxiproxyBin }],
      identities: [i.identity(i.toxiproxyBin)],
    },
  ];
}

/** A fixed cluster id: the image is the same for every stack, and each container gets its own copy of the dir. */
export function kafkaClusterId(): string {
  return 'b3V0Ym94LWNoYW9zLWltZw';
}

/** The image tags of every layer, parents first (a parent's tag is part of its children's hash). */
export function layerTags(specs: LayerSpec[]): Record<BuiltLayer, string> {
  const tags = {} as Record<BuiltLayer, string>;
  for (const s of specs) tags[s.layer] = layerTag(s, s.parent ? tags[s.parent] : undefined);
  return tags;
}
