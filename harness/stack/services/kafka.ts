import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { ONE_NODE_BROKER_SETTINGS } from '../../provision/jvm-archives.ts';
import { run } from '../../util/exec.ts';
import { HOST, type StackContext } from '../context.ts';
import { brokerPorts, type BrokerPorts, type PortPlan } from '../ports.ts';
import type { ServiceDef, ServiceName } from '../service.ts';
import { jvmArgs, kafkaJava } from './jvm.ts';
import { writeLog4j2 } from './log4j.ts';

function props(obj: Record<string, string | number | boolean>): string {
  return `${Object.entries(obj)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/** One KRaft node of a stack: the single stack's `kafka`, or a cluster's kafka-1..3. */
export interface KafkaNode {
  service: ServiceName;
  /** Its directory under the stack dir, and its log file's name. */
  dir: string;
  ports: BrokerPorts;
}

/** The stack's brokers: one (service `kafka`), or three (kafka-1..3) when the plan is a cluster's. */
export function kafkaNodes(p: PortPlan): KafkaNode[] {
  const all = brokerPorts(p);
  if (all.length === 1) return [{ service: 'kafka', dir: 'kafka', ports: all[0] as BrokerPorts }];
  return all.map((b) => ({ service: `kafka-${b.nodeId}` as ServiceName, dir: `kafka-${b.nodeId}`, ports: b }));
}

/**
 * A cluster's broker settings beyond a node's own (the containers provider applies the same). Replication
 * factor 3 and min.insync.replicas=2 for every topic the pipeline creates (products, Debezium's heartbeat,
 * Connect's internal topics, consumer offsets): one broker may go without stopping writes, two may not.
 */
export const CLUSTER_BROKER_SETTINGS: Record<string, string | number | boolean> = {
  'default.replication.factor': 3,
  'min.insync.replicas': 2,
  'offsets.topic.replication.factor': 3,
  'transaction.state.log.replication.factor': 3,
  'transaction.state.log.min.isr': 2,
  'share.coordinator.state.topic.replication.factor': 3,
  'share.coordinator.state.topic.min.isr': 2,
  // Stock: a broker that lost its replicas' leader only takes over when it was in sync (no acknowledged data lost).
  'unclean.leader.election.enable': false,
  // Shorter than stock so that failures play out within a scenario's seconds, not minutes: a follower that
  // has not caught up for 5 s leaves the ISR (stock 30 s); a broker that stops heartbeating is fenced, and
  // its partitions get new leaders, after 6 s (stock 9 s, heartbeats every 2 s as stock).
  'replica.lag.time.max.ms': 5000,
  'broker.session.timeout.ms': 6000,
};

/**
 * A KRaft node (broker + controller). Client listeners: PLAINTEXT for the harness (direct) and PROXIED,
 * whose advertised address is Toxiproxy's — without that, clients would learn the broker's real address from
 * metadata and silently bypass the proxy after bootstrapping through it. In a cluster, brokers replicate
 * over a third listener, REPLICATION, advertised at its own proxy, so that a follower can be cut off from a
 * leader while clients still reach it; the controller quorum talks directly.
 */
export function brokerProperties(
  ctx: Pick<StackContext, 'ports'>,
  node: KafkaNode,
  data: string,
): Record<string, string | number | boolean> {
  const all = brokerPorts(ctx.ports);
  const b = node.ports;
  const cluster = all.length > 1;
  const listeners = [`PLAINTEXT://${HOST}:${b.direct}`, `PROXIED://${HOST}:${b.proxiedUpstream}`];
  const advertised = [`PLAINTEXT://${HOST}:${b.direct}`, `PROXIED://${HOST}:${b.proxy}`];
  if (cluster) {
    listeners.push(`REPLICATION://${HOST}:${b.replicationUpstream}`);
    advertised.push(`REPLICATION://${HOST}:${b.replicationProxy}`);
  }
  return {
    'process.roles': 'broker,controller',
    'node.id': b.nodeId,
    'controller.quorum.voters': all.map((x) => `${x.nodeId}@${HOST}:${x.controller}`).join(','),
    listeners: [...listeners, `CONTROLLER://${HOST}:${b.controller}`].join(','),
    'advertised.listeners': advertised.join(','),
    'listener.security.protocol.map':
      'PLAINTEXT:PLAINTEXT,PROXIED:PLAINTEXT,' + `${cluster ? 'REPLICATION:PLAINTEXT,' : ''}CONTROLLER:PLAINTEXT`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': cluster ? 'REPLICATION' : 'PLAINTEXT',
    'log.dirs': data,
    'num.partitions': 1,
    ...ONE_NODE_BROKER_SETTINGS,
    'auto.create.topics.enable': true,
    'log.retention.hours': 24,
    ...(cluster ? CLUSTER_BROKER_SETTINGS : {}),
  };
}

export async function initKafka(
  ctx: StackContext,
  node: KafkaNode = kafkaNodes(ctx.ports)[0] as KafkaNode,
): Promise<void> {
  const dir = join(ctx.dir, node.dir);
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  chmodSync(dir, 0o700); // the config topic's log holds connector configs as Connect stores them (docs/secrets.md)
  writeFileSync(join(dir, 'server.properties'), props(brokerProperties(ctx, node, data)));
  writeLog4j2(join(dir, 'log4j2.properties'), [
    'kafka.log',
    'org.apache.kafka.storage',
    'kafka.coordinator',
    'org.apache.kafka.raft',
    'org.apache.kafka.metadata',
    'org.apache.kafka.controller',
    'kafka.server.metadata',
  ]);
  if (existsSync(join(data, 'meta.properties'))) return;
  cpSync(await formattedTemplate(ctx, join(dir, 'server.properties'), join(dir, 'log4j2.properties')), data, {
    recursive: true,
  });
  // Whichever node formatted the template, each copy gets this node's id and a directory id of its own.
  writeFileSync(
    join(data, 'meta.properties'),
    asNode(readFileSync(join(data, 'meta.properties'), 'utf8'), node.ports.nodeId),
  );
}

/** A Kafka Uuid: 16 random bytes in unpadded base64url, never starting with '-' (Kafka's own rule). */
function kafkaUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * Every node of a cluster shares the template's cluster id and bootstrap metadata; its meta.properties gets
 * its own node id and log directory id.
 */
export function asNode(meta: string, nodeId: number): string {
  return meta
    .replace(/^node\.id=.*$/m, `node.id=${nodeId}`)
    .replace(/^directory\.id=.*$/m, `directory.id=${kafkaUuid()}`);
}

/**
 * Formatting storage costs a JVM start. A formatted log dir holds only the cluster id, node id and the
 * bootstrap metadata, none of which depends on ports or paths, so it is formatted once per Kafka version
 * into the cache and copied for every new stack.
 */
async function formattedTemplate(ctx: StackContext, serverProps: string, log4j: string): Promise<string> {
  const template = join(dirname(ctx.artifacts.kafkaLib), 'formatted-log-dir');
  if (existsSync(join(template, 'meta.properties'))) return template;
  const work = `${template}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  const props = join(`${work}-props`);
  writeFileSync(props, readFileSync(serverProps, 'utf8').replace(/^log\.dirs=.*$/m, `log.dirs=${work}`));
  // A Kafka Uuid is 16 random bytes in unpadded base64url: no JVM start needed to make one.
  const clusterId = kafkaUuid();
  await run(
    ctx.artifacts.kafkaJdk.java,
    [
      '-cp',
      `${ctx.artifacts.kafkaLib}/*`,
      `-Dlog4j2.configurationFile=${log4j}`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      props,
    ],
    { what: 'formatting Kafka storage' },
  );
  rmSync(props, { force: true });
  renameSync(work, template);
  return template;
}

/** True once the port accepts TCP; the broker only binds client listeners once it has joined the quorum. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: HOST, port });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export function kafkaDef(ctx: StackContext, node: KafkaNode = kafkaNodes(ctx.ports)[0] as KafkaNode): ServiceDef {
  const dir = join(ctx.dir, node.dir);
  const logFile = join(ctx.dir, 'logs', `${node.service}.log`);
  const b = node.ports;
  return {
    name: node.service,
    logFile,
    spawn: () => ({
      name: node.service,
      cmd: kafkaJava(ctx),
      args: [
        ...jvmArgs(ctx, 'kafka', ctx.heapMb.kafka, join(dir, 'log4j2.properties')),
        'kafka.Kafka',
        join(dir, 'server.properties'),
      ],
      logFile,
      stackDir: ctx.dir,
    }),
    ready: async () =>
      (await tcpOpen(b.direct)) &&
      (await tcpOpen(b.proxiedUpstream)) &&
      (b.replicationUpstream === undefined || (await tcpOpen(b.replicationUpstream))),
    readyTimeoutMs: 60_000,
    stopSignal: 'SIGTERM',
  };
}
