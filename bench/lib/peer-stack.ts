/**
 * The peer of the cold start: the same programs, configs and pipeline, started the way their distributions'
 * scripts start them, one after another, each awaited until it answers; then both connectors registered and
 * awaited RUNNING, as `bringUp` does. Postgres and Toxiproxy start as the harness starts them (they are not
 * JVMs; their scripts add nothing). The JVMs get what the scripts would give them (Kafka 4.1's
 * bin/kafka-run-class.sh, kafka-server-start.sh, kafka-storage.sh, connect-distributed.sh, and
 * Elasticsearch's bin/elasticsearch): see STOCK below and bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { loadDefinition, pipelineVars } from '../../harness/pipeline/definition.ts';
import { setupPipeline } from '../../harness/pipeline/lifecycle.ts';
import { defaultRunNames } from '../../harness/pipeline/run-names.ts';
import { provision } from '../../harness/provision/index.ts';
import type { StackContext } from '../../harness/stack/context.ts';
import { endpointsFor, proxySpecs, type Endpoints } from '../../harness/stack/endpoints.ts';
import { claimStack } from '../../harness/stack/owner.ts';
import { assertPortsFree, portPlan } from '../../harness/stack/ports.ts';
import { exec } from '../../harness/util/exec.ts';
import { Service, type ServiceDef, type ServiceName } from '../../harness/stack/service.ts';
import { connectDef, initConnect } from '../../harness/stack/services/connect.ts';
import { elasticsearchDef, initElasticsearch } from '../../harness/stack/services/elasticsearch.ts';
import { initKafka, kafkaDef } from '../../harness/stack/services/kafka.ts';
import { initPostgres, postgresDef } from '../../harness/stack/services/postgres.ts';
import { toxiproxyDef } from '../../harness/stack/services/toxiproxy.ts';
import { cleanupStack, stackDir } from '../../harness/stack/stack.ts';
import { writeState, type StackState } from '../../harness/stack/state.ts';
import { serviceUser } from '../../harness/stack/users.ts';

/** The scripts' defaults (Kafka 4.1 bin/, reproduced; see bench/README.md for the sources). */
export const STOCK = {
  /** kafka-run-class.sh KAFKA_JVM_PERFORMANCE_OPTS. */
  performance: [
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:MaxInlineLevel=15',
    '-Djava.awt.headless=true',
  ],
  /** kafka-run-class.sh KAFKA_JMX_OPTS. */
  jmx: [
    '-Dcom.sun.management.jmxremote',
    '-Dcom.sun.management.jmxremote.authenticate=false',
    '-Dcom.sun.management.jmxremote.ssl=false',
  ],
  /** KAFKA_HEAP_OPTS: kafka-server-start.sh, connect-distributed.sh, kafka-run-class.sh's own (kafka-storage.sh). */
  heap: { broker: ['-Xmx1G', '-Xms1G'], connect: ['-Xms256M', '-Xmx2G'], tool: ['-Xmx256M'] },
  /** Elasticsearch: its own jvm.options, and the heap fixed in jvm.options.d as Elastic's docs say to. */
  esHeapMb: 1024,
} as const;

/** A stock log4j2 config: INFO to the console, nothing quieted (the scripts' log4j2.yaml log at INFO). */
function stockLog4j(path: string): void {
  writeFileSync(
    path,
    [
      'status = warn',
      'appender.out.type = Console',
      'appender.out.name = out',
      'appender.out.layout.type = PatternLayout',
      'appender.out.layout.pattern = [%d{ISO8601}] %p %m (%c)%n',
      'rootLogger.level = info',
      'rootLogger.appenderRef.out.ref = out',
      '',
    ].join('\n'),
  );
}

function kafkaCommand(
  ctx: StackContext,
  heap: readonly string[],
  log4j: string,
  logsDir: string,
  extra: string[],
  main: string,
  args: string[],
): string[] {
  return [
    ...heap,
    ...STOCK.performance,
    ...extra,
    ...STOCK.jmx,
    `-Dkafka.logs.dir=${logsDir}`,
    `-Dlog4j2.configurationFile=${log4j}`,
    '-cp',
    `${ctx.artifacts.kafkaLib}/*`,
    main,
    ...args,
  ];
}

export interface PeerRun {
  totalMs: number;
  /** Each program's start, ms from the beginning: spawn to ready (Kafka's includes formatting its storage). */
  steps: { name: string; startMs: number; endMs: number }[];
  /** CPU ms per program from its spawn to both connectors RUNNING (Kafka's includes the storage format JVM). */
  cpuMs: Record<string, number>;
}

export interface PeerStack {
  name: string;
  dir: string;
  endpoints: Endpoints;
  services: Record<string, Service>;
  formatCpuMs: number;
  stop(): Promise<void>;
}

/** Runs a command and returns what it and its children used in CPU ms (the shell's cutime + cstime). */
async function timedRun(cmd: string, args: string[], what: string): Promise<number> {
  const r = await exec('sh', ['-c', '"$@" >/dev/null 2>&1; s=$?; cat /proc/$$/stat; exit $s', 'sh', cmd, ...args]);
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code})`);
  const f = r.stdout.slice(r.stdout.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
}

/** Starts the peer stack `name` on `portBase`; throws (after stopping what it started) when anything fails. */
export async function startPeer(
  name: string,
  portBase: number,
  t0: number,
  steps: PeerRun['steps'],
): Promise<PeerStack> {
  const { release } = claimStack(name);
  const artifacts = await provision();
  await cleanupStack(name);
  const ports = portPlan(portBase);
  await assertPortsFree(ports);
  const dir = stackDir(name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const ctx: StackContext = {
    name,
    dir,
    ports,
    artifacts,
    pgUser: await serviceUser('postgres'),
    esUser: await serviceUser('elasticsearch'),
    heapMb: { kafka: 1024, connect: 2048, elasticsearch: STOCK.esHeapMb },
  };
  const endpoints = endpointsFor(ports);
  const state: StackState = {
    name,
    dir,
    ownerPid: process.pid,
    startedAt: new Date().toISOString(),
    ports,
    endpoints,
    pids: {},
    versions: {},
  };
  writeState(state);
  const onPid = (svc: ServiceName, pid: number | undefined): void => {
    if (pid === undefined) delete state.pids[svc];
    else state.pids[svc] = pid;
    writeState(state);
  };
  const logs = join(dir, 'logs');
  const stock = (
    def: ServiceDef,
    args: string[],
    extra: Partial<ReturnType<ServiceDef['spawn']>> = {},
  ): ServiceDef => ({ ...def, spawn: () => ({ ...def.spawn(), cmd: ctx.artifacts.kafkaJdk.java, args, ...extra }) });
  const services: Record<string, Service> = {};
  let formatCpuMs = 0;
  const stop = async (): Promise<void> => {
    for (const s of ['connect', 'kafka', 'elasticsearch', 'postgres', 'toxiproxy'])
      await services[s]?.stop(20_000, 'stop').catch(() => undefined);
    await cleanupStack(name);
    release();
  };
  const timed = async (nameOf: string, fn: () => Promise<void>): Promise<void> => {
    const s = Date.now() - t0;
    await fn();
    steps.push({ name: nameOf, startMs: s, endMs: Date.now() - t0 });
  };
  try {
    await timed('postgres', async () => {
      await initPostgres(ctx);
      services.postgres = new Service(postgresDef(ctx), onPid, dir);
      await services.postgres.start();
    });
    await timed('toxiproxy', async () => {
      services.toxiproxy = new Service(toxiproxyDef(ctx), onPid, dir);
      await services.toxiproxy.start();
      await new Toxiproxy(endpoints.toxiproxyUrl).populate(proxySpecs(ports).map((p) => ({ ...p, enabled: true })));
    });
    await timed('kafka (kafka-storage.sh format + kafka-server-start.sh)', async () => {
      await initKafka(ctx);
      const kdir = join(dir, 'kafka');
      const data = join(kdir, 'data');
      rmSync(data, { recursive: true, force: true }); // the harness's pre-formatted copy: the peer formats, as by hand
      const log4j = join(kdir, 'stock-log4j2.properties');
      stockLog4j(log4j);
      const props = join(kdir, 'server.properties');
      const clusterId = randomBytes(16).toString('base64url'); // what kafka-storage.sh random-uuid prints
      formatCpuMs = await timedRun(
        ctx.artifacts.kafkaJdk.java,
        kafkaCommand(ctx, STOCK.heap.tool, log4j, logs, [], 'kafka.tools.StorageTool', [
          'format',
          '-t',
          clusterId,
          '-c',
          props,
        ]),
        'kafka-storage.sh format',
      );
      const gc = `-Xlog:gc*:file=${join(logs, 'kafkaServer-gc.log')}:time,tags:filecount=10,filesize=100M`;
      services.kafka = new Service(
        stock(kafkaDef(ctx), kafkaCommand(ctx, STOCK.heap.broker, log4j, logs, [gc], 'kafka.Kafka', [props])),
        onPid,
        dir,
      );
      await services.kafka.start();
    });
    await timed('connect (connect-distributed.sh, full plugin scan)', async () => {
      initConnect(ctx);
      const cdir = join(dir, 'connect');
      const conf = join(cdir, 'connect.properties');
      // Stock discovery: no plugin.discovery line (Kafka's default, hybrid_warn: a full reflective scan).
      writeFileSync(
        conf,
        readFileSync(conf, 'utf8')
          .split('\n')
          .filter((l) => !l.startsWith('plugin.discovery='))
          .join('\n'),
      );
      const log4j = join(cdir, 'stock-log4j2.properties');
      stockLog4j(log4j);
      services.connect = new Service(
        stock(
          connectDef(ctx),
          kafkaCommand(ctx, STOCK.heap.connect, log4j, logs, [], 'org.apache.kafka.connect.cli.ConnectDistributed', [
            conf,
          ]),
        ),
        onPid,
        dir,
      );
      await services.connect.start();
    });
    await timed('elasticsearch (bin/elasticsearch)', async () => {
      const home = await initElasticsearch(ctx, { record: false });
      // Elasticsearch's own jvm.options, only the heap fixed (jvm.options.d), as its docs recommend.
      writeFileSync(
        join(dir, 'elasticsearch', 'config', 'jvm.options.d', 'harness.options'),
        `-Xms${STOCK.esHeapMb}m\n-Xmx${STOCK.esHeapMb}m\n`,
      );
      const def = elasticsearchDef(ctx, home, { launcher: true });
      services.elasticsearch = new Service(def, onPid, dir);
      await services.elasticsearch.start();
    });
    await timed('register pipeline', async () => {
      const names = defaultRunNames();
      await setupPipeline(endpoints, loadDefinition(undefined, pipelineVars(endpoints, names)), names);
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { name, dir, endpoints, services, formatCpuMs, stop };
}
