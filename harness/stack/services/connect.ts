import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST, type StackContext } from '../context.ts';
import { brokerPorts, isClusterPlan, type PortPlan } from '../ports.ts';
import type { ServiceDef, ServiceName } from '../service.ts';
import { extraPluginDirs } from '../plugin-path.ts';
import { internalTopicSettings, workerSettingsMap } from '../worker-settings.ts';
import { jvmArgs, kafkaJava } from './jvm.ts';
import { writeLog4j2 } from './log4j.ts';

export const CONNECT_GROUP = 'outbox-chaos-connect';

/** One distributed worker of a stack: the single stack's `connect`, or a cluster's connect-1 and connect-2. */
export interface ConnectWorker {
  service: ServiceName;
  dir: string;
  /** Its REST port; the worker id Connect reports for it is `127.0.0.1:<port>`. */
  port: number;
}

export function connectWorkers(p: PortPlan): ConnectWorker[] {
  if (!isClusterPlan(p) || p.connect2 === undefined) return [{ service: 'connect', dir: 'connect', port: p.connect }];
  return [
    { service: 'connect-1', dir: 'connect-1', port: p.connect },
    { service: 'connect-2', dir: 'connect-2', port: p.connect2 },
  ];
}

/**
 * A distributed Connect worker whose every Kafka connection goes through the kafka proxies (one per broker
 * in a cluster: each broker advertises its own proxy, so whichever broker a request goes to, it is proxied).
 * A cluster's workers share one group and its internal topics: each connector's task may run on either.
 */
export function initConnect(
  ctx: StackContext,
  worker: ConnectWorker = connectWorkers(ctx.ports)[0] as ConnectWorker,
): void {
  const dir = join(ctx.dir, worker.dir);
  mkdirSync(dir, { recursive: true });
  const extra = extraPluginDirs();
  const conf: Record<string, string | number | boolean> = {
    'bootstrap.servers': brokerPorts(ctx.ports)
      .map((b) => `${HOST}:${b.proxy}`)
      .join(','),
    'group.id': CONNECT_GROUP,
    // Converters, offset flushing, rebalance delay, failover: one definition for every stack (worker-settings.ts).
    ...workerSettingsMap(),
    'config.storage.topic': 'outbox-chaos-connect-configs',
    'offset.storage.topic': 'outbox-chaos-connect-offsets',
    'status.storage.topic': 'outbox-chaos-connect-status',
    ...internalTopicSettings(isClusterPlan(ctx.ports) ? 'cluster' : 'single'),
    listeners: `http://${HOST}:${worker.port}`,
    'rest.advertised.host.name': HOST,
    'rest.advertised.port': worker.port,
    'plugin.path': [...ctx.artifacts.pluginPath, ...extra].join(','),
    // Debezium's jars and ours carry service entries: skipping the reflective scan saves seconds per start. A
    // user's plugins may not have them, so with extra directories the worker scans too (and says what lacks one).
    'plugin.discovery': extra.length ? 'hybrid_warn' : 'service_load',
  };
  writeFileSync(
    join(dir, 'connect.properties'),
    `${Object.entries(conf)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  writeLog4j2(join(dir, 'log4j2.properties'), [
    'org.apache.kafka.clients',
    'org.apache.kafka.common',
    'org.reflections',
    'org.eclipse.jetty',
    'org.glassfish',
    'org.apache.kafka.connect.runtime.WorkerConfig',
    'io.debezium.connector.common.BaseSourceTask',
  ]);
}

export function connectDef(
  ctx: StackContext,
  worker: ConnectWorker = connectWorkers(ctx.ports)[0] as ConnectWorker,
): ServiceDef {
  const dir = join(ctx.dir, worker.dir);
  const logFile = join(ctx.dir, 'logs', `${worker.service}.log`);
  return {
    name: worker.service,
    logFile,
    spawn: () => ({
      name: worker.service,
      cmd: kafkaJava(ctx),
      args: [
        ...jvmArgs(ctx, 'connect', ctx.heapMb.connect, join(dir, 'log4j2.properties')),
        'org.apache.kafka.connect.cli.ConnectDistributed',
        join(dir, 'connect.properties'),
      ],
      logFile,
      stackDir: ctx.dir,
    }),
    // The REST API answers 200 on /connectors only after the worker has joined its group and read configs.
    ready: async () => (await fetch(`http://${HOST}:${worker.port}/connectors`)).ok,
    readyTimeoutMs: 90_000,
    stopSignal: 'SIGTERM',
  };
}

const EXTRA_MARK = "# the definition's own worker settings (pipeline.yaml worker:)";

/**
 * Puts a definition's worker settings at the end of a worker's properties (a later key wins over the harness's),
 * or takes them away (none given); true when the file changed, so that the worker must restart to run them.
 */
export function setWorkerExtras(workerDir: string, extra: Readonly<Record<string, string>>): boolean {
  const file = join(workerDir, 'connect.properties');
  const text = readFileSync(file, 'utf8');
  const base = text.split(`${EXTRA_MARK}\n`)[0] as string;
  const lines = Object.entries(extra)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}\n`);
  const next = lines.length ? `${base}${EXTRA_MARK}\n${lines.join('')}` : base;
  if (next === text) return false;
  writeFileSync(file, next);
  return true;
}
