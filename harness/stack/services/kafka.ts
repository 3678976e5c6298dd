import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { run } from '../../util/exec.ts';
import { HOST, type StackContext } from '../context.ts';
import type { ServiceDef } from '../service.ts';
import { jvmFlags, writeLog4j2 } from './log4j.ts';

function props(obj: Record<string, string | number | boolean>): string {
  return `${Object.entries(obj).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

/**
 * A single KRaft node (broker + controller). Two client listeners: PLAINTEXT for the harness (direct) and
 * PROXIED, whose advertised address is Toxiproxy's — without that, clients would learn the broker's real
 * address from metadata and silently bypass the proxy after bootstrapping through it.
 */
export async function initKafka(ctx: StackContext): Promise<void> {
  const dir = join(ctx.dir, 'kafka');
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  const p = ctx.ports;
  writeFileSync(
    join(dir, 'server.properties'),
    props({
      'process.roles': 'broker,controller',
      'node.id': 1,
      'controller.quorum.voters': `1@${HOST}:${p.kafkaController}`,
      listeners: `PLAINTEXT://${HOST}:${p.kafka},PROXIED://${HOST}:${p.kafkaProxiedUpstream},CONTROLLER://${HOST}:${p.kafkaController}`,
      'advertised.listeners': `PLAINTEXT://${HOST}:${p.kafka},PROXIED://${HOST}:${p.proxyKafka}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,PROXIED:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'log.dirs': data,
      'num.partitions': 1,
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 5,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'share.coordinator.state.topic.replication.factor': 1,
      'share.coordinator.state.topic.min.isr': 1,
      'group.initial.rebalance.delay.ms': 0,
      'auto.create.topics.enable': true,
      'log.retention.hours': 24,
    }),
  );
  writeLog4j2(join(dir, 'log4j2.properties'), ['kafka.log', 'org.apache.kafka.storage', 'kafka.coordinator', 'org.apache.kafka.raft', 'org.apache.kafka.metadata', 'org.apache.kafka.controller', 'kafka.server.metadata']);
  if (existsSync(join(data, 'meta.properties'))) return;
  cpSync(await formattedTemplate(ctx, join(dir, 'server.properties'), join(dir, 'log4j2.properties')), data, { recursive: true });
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
  const clusterId = randomBytes(16).toString('base64url');
  await run(
    ctx.artifacts.kafkaJdk.java,
    ['-cp', `${ctx.artifacts.kafkaLib}/*`, `-Dlog4j2.configurationFile=${log4j}`, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props],
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

export function kafkaDef(ctx: StackContext): ServiceDef {
  const dir = join(ctx.dir, 'kafka');
  const logFile = join(ctx.dir, 'logs', 'kafka.log');
  return {
    name: 'kafka',
    logFile,
    spawn: () => ({
      name: 'kafka',
      cmd: ctx.artifacts.kafkaJdk.java,
      args: [...jvmFlags(ctx.heapMb.kafka, join(dir, 'log4j2.properties')), '-cp', `${ctx.artifacts.kafkaLib}/*`, 'kafka.Kafka', join(dir, 'server.properties')],
      logFile,
      stackDir: ctx.dir,
    }),
    ready: async () => (await tcpOpen(ctx.ports.kafka)) && (await tcpOpen(ctx.ports.kafkaProxiedUpstream)),
    readyTimeoutMs: 60_000,
    stopSignal: 'SIGTERM',
  };
}
