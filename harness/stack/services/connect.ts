import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST, type StackContext } from '../context.ts';
import type { ServiceDef } from '../service.ts';
import { extraPluginDirs } from '../plugin-path.ts';
import { workerSettingsMap } from '../worker-settings.ts';
import { jvmFlags, writeLog4j2 } from './log4j.ts';

export const CONNECT_GROUP = 'outbox-chaos-connect';

/** A distributed Connect worker whose every Kafka connection goes through the kafka proxy. */
export function initConnect(ctx: StackContext): void {
  const dir = join(ctx.dir, 'connect');
  mkdirSync(dir, { recursive: true });
  const p = ctx.ports;
  const extra = extraPluginDirs();
  const conf: Record<string, string | number | boolean> = {
    'bootstrap.servers': `${HOST}:${p.proxyKafka}`,
    'group.id': CONNECT_GROUP,
    // Converters, offset flushing, rebalance delay: one definition for every stack (worker-settings.ts).
    ...workerSettingsMap(),
    'config.storage.topic': 'outbox-chaos-connect-configs',
    'offset.storage.topic': 'outbox-chaos-connect-offsets',
    'status.storage.topic': 'outbox-chaos-connect-status',
    'config.storage.replication.factor': 1,
    'offset.storage.replication.factor': 1,
    'status.storage.replication.factor': 1,
    'offset.storage.partitions': 1,
    'status.storage.partitions': 1,
    listeners: `http://${HOST}:${p.connect}`,
    'rest.advertised.host.name': HOST,
    'rest.advertised.port': p.connect,
    'plugin.path': [...ctx.artifacts.pluginPath, ...extra].join(','),
    // Debezium's jars and ours carry service entries: skipping the reflective scan saves seconds per start. A
    // user's plugins may not have them, so with extra directories the worker scans too (and says what lacks one).
    'plugin.discovery': extra.length ? 'hybrid_warn' : 'service_load',
  };
  writeFileSync(join(dir, 'connect.properties'), `${Object.entries(conf).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  writeLog4j2(join(dir, 'log4j2.properties'), ['org.apache.kafka.clients', 'org.apache.kafka.common', 'org.reflections', 'org.eclipse.jetty', 'org.glassfish', 'org.apache.kafka.connect.runtime.WorkerConfig', 'io.debezium.connector.common.BaseSourceTask']);
}

export function connectDef(ctx: StackContext): ServiceDef {
  const dir = join(ctx.dir, 'connect');
  const logFile = join(ctx.dir, 'logs', 'connect.log');
  return {
    name: 'connect',
    logFile,
    spawn: () => ({
      name: 'connect',
      cmd: ctx.artifacts.kafkaJdk.java,
      args: [...jvmFlags(ctx.heapMb.connect, join(dir, 'log4j2.properties')), '-cp', `${ctx.artifacts.kafkaLib}/*`, 'org.apache.kafka.connect.cli.ConnectDistributed', join(dir, 'connect.properties')],
      logFile,
      stackDir: ctx.dir,
    }),
    // The REST API answers 200 on /connectors only after the worker has joined its group and read configs.
    ready: async () => (await fetch(`http://${HOST}:${ctx.ports.connect}/connectors`)).ok,
    readyTimeoutMs: 90_000,
    stopSignal: 'SIGTERM',
  };
}
