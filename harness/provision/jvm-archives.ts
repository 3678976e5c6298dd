import { createHash, randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { EnvError, errorMessage } from '../util/errors.ts';
import { run } from '../util/exec.ts';
import { info, warn } from '../util/log.ts';
import { checkArtifact, ensureArtifact, type CachedArtifact } from './cache-manifest.ts';
import type { Jdk } from './jdk.ts';

/**
 * Class-data archives for the Kafka broker and the Connect worker, made once by a training run at provisioning:
 * each JVM starts as the stack starts it, with a dump flag, does what a start does (the broker serves the
 * worker; the worker creates its topics, joins its group and validates every installed connector's config),
 * and writes its archive when it exits. Later starts map the archive instead of loading, parsing and
 * verifying those classes again.
 *
 * JDK 17–24: a dynamic AppCDS archive (-XX:ArchiveClassesAtExit, then -XX:SharedArchiveFile). JDK 25+: the
 * AOT cache (-XX:AOTCacheOutput, then -XX:AOTCache), which also keeps the classes linked and method profiles.
 * Either is only a cache: a JVM that finds it stale (another JDK build, another class path) ignores it and
 * starts as without it.
 */
export type ArchiveKind = 'cds' | 'aot';
export type ArchivedJvm = 'kafka' | 'connect';

/** Flags each JVM gets at start (none when there is no archive). */
export type JvmArchiveFlags = Record<ArchivedJvm, string[]>;

/** Every JVM flag a stack's Kafka and Connect start with, apart from logging: one definition for training and use. */
export function baseJvmFlags(heapMb: number): string[] {
  return [`-Xms${heapMb}m`, `-Xmx${heapMb}m`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true'];
}

/** The heaps the stack gives each JVM (StackContext.heapMb defaults); the archive does not depend on them. */
const TRAIN_HEAP: Record<ArchivedJvm, number> = { kafka: 512, connect: 1024 };

export function archiveKind(jdk: Jdk): ArchiveKind {
  return jdk.major >= 25 ? 'aot' : 'cds';
}

function listing(dir: string): string {
  return readdirSync(dir)
    .sort()
    .map((f) => `${f}:${statSync(join(dir, f)).size}`)
    .join(',');
}

/** Where the archives are cached: one directory per JDK build and class path. */
export function jvmArchivesArtifact(cache: string, jdk: Jdk, classpathDir: string): CachedArtifact {
  const st = statSync(jdk.java);
  const release = existsSync(join(jdk.home, 'release')) ? readFileSync(join(jdk.home, 'release'), 'utf8') : '';
  const key = createHash('sha256')
    .update(
      `v1 ${archiveKind(jdk)} ${jdk.home} ${st.size} ${Math.round(st.mtimeMs)} ${release} ` +
        `${classpathDir} ${listing(classpathDir)}`,
    )
    .digest('hex')
    .slice(0, 16);
  return {
    name: `JVM archives (${archiveKind(jdk)}, Java ${jdk.major})`,
    path: join(cache, 'jvm-archives', `java${jdk.major}-${key}`),
    key: `jvm-archives ${key}`,
  };
}

/** A Kafka cluster id: 16 random bytes in base64url, never starting with '-' (the tool would read an option). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function file(dir: string, jvm: ArchivedJvm, kind: ArchiveKind): string {
  return join(dir, `${jvm}.${kind === 'aot' ? 'aot' : 'jsa'}`);
}

/** The flags for archives already in the cache; nothing when they are missing or damaged (no training here). */
export function cachedArchiveFlags(cache: string, jdk: Jdk, classpathDir: string): JvmArchiveFlags {
  const a = jvmArchivesArtifact(cache, jdk, classpathDir);
  const none: JvmArchiveFlags = { kafka: [], connect: [] };
  if (checkArtifact(a.path, a.key).state !== 'ok') return none;
  const kind = archiveKind(jdk);
  const use = (jvm: ArchivedJvm): string[] =>
    existsSync(file(a.path, jvm, kind))
      ? [
          kind === 'aot'
            ? `-XX:AOTCache=${file(a.path, jvm, kind)}`
            : `-XX:SharedArchiveFile=${file(a.path, jvm, kind)}`,
        ]
      : [];
  return { kafka: use('kafka'), connect: use('connect') };
}

/**
 * Makes the archives once (a training run of about half a minute) and returns the flags that use them.
 * `OUTBOX_CHAOS_JVM_ARCHIVES=0` turns them off (no training, no flags): the benchmark's lever switch.
 */
export async function ensureJvmArchives(
  cache: string,
  jdk: Jdk,
  classpathDir: string,
  pluginPath: string[],
  opts: { force?: boolean } = {},
): Promise<JvmArchiveFlags> {
  if (process.env.OUTBOX_CHAOS_JVM_ARCHIVES === '0') return { kafka: [], connect: [] };
  const a = jvmArchivesArtifact(cache, jdk, classpathDir);
  // A training run that failed once for this key is not retried at every start: the archives are only a cache.
  const failed = `${a.path}.failed`;
  if (!opts.force && existsSync(failed) && readFileSync(failed, 'utf8').startsWith(`${a.key}\n`))
    return { kafka: [], connect: [] };
  const t0 = Date.now();
  try {
    const made = await ensureArtifact(a.path, a.key, (tmp) => train(tmp, jdk, classpathDir, pluginPath), {
      tmpRoot: join(cache, '.tmp'),
      force: opts.force,
      verb: 'training',
    });
    if (made)
      info(
        `    trained the Kafka and Connect JVMs' ` +
          `${archiveKind(jdk) === 'aot' ? 'AOT caches' : 'class-data archives'} (${Date.now() - t0} ms, once)`,
      );
  } catch (err) {
    mkdirSync(join(cache, 'jvm-archives'), { recursive: true });
    writeFileSync(failed, `${a.key}\n${errorMessage(err)}\n`);
    warn(
      `cache: training the JVM archives failed (${errorMessage(err)}); ` +
        'Kafka and Connect start without them (provision --force tries again)',
    );
    return { kafka: [], connect: [] };
  }
  return cachedArchiveFlags(cache, jdk, classpathDir);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function until(
  what: string,
  ok: () => Promise<boolean>,
  child: ChildProcess,
  log: string,
  timeoutMs = 120_000,
): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(200)) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new EnvError(`training the JVM archives: ${what} exited early`, `see ${log}`);
    if (await ok().catch(() => false)) return;
  }
  throw new EnvError(`training the JVM archives: ${what} did not come up`, `see ${log}`);
}

function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Kafka's internal topics on a one-node broker (replication 1), and no wait before the first rebalance. */
export const ONE_NODE_BROKER_SETTINGS = {
  'offsets.topic.replication.factor': 1,
  'offsets.topic.num.partitions': 5,
  'transaction.state.log.replication.factor': 1,
  'transaction.state.log.min.isr': 1,
  'share.coordinator.state.topic.replication.factor': 1,
  'share.coordinator.state.topic.min.isr': 1,
  'group.initial.rebalance.delay.ms': 0,
} as const;

function props(obj: Record<string, string | number | boolean>): string {
  return `${Object.entries(obj)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/** The training run: a broker and a worker on free ports in `tmp`, both stopped with SIGTERM so they dump. */
async function train(tmp: string, jdk: Jdk, cpDir: string, pluginPath: string[]): Promise<void> {
  const kind = archiveKind(jdk);
  const work = join(tmp, 'train');
  mkdirSync(join(work, 'data'), { recursive: true });
  const [client, controller, rest] = [await freePort(), await freePort(), await freePort()];
  const log4j = join(work, 'log4j2.properties');
  writeFileSync(
    log4j,
    [
      'status = warn',
      'appender.out.type = Console',
      'appender.out.name = out',
      'appender.out.layout.type = PatternLayout',
      'appender.out.layout.pattern = [%d{ISO8601}] %p %m (%c{1})%n',
      'rootLogger.level = info',
      'rootLogger.appenderRef.out.ref = out',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(work, 'server.properties'),
    props({
      'process.roles': 'broker,controller',
      'node.id': 1,
      'controller.quorum.voters': `1@127.0.0.1:${controller}`,
      listeners: `PLAINTEXT://127.0.0.1:${client},CONTROLLER://127.0.0.1:${controller}`,
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'log.dirs': join(work, 'data'),
      ...ONE_NODE_BROKER_SETTINGS,
    }),
  );
  writeFileSync(
    join(work, 'connect.properties'),
    props({
      'bootstrap.servers': `127.0.0.1:${client}`,
      'group.id': 'outbox-chaos-training',
      'config.storage.topic': 'training-configs',
      'offset.storage.topic': 'training-offsets',
      'status.storage.topic': 'training-status',
      'config.storage.replication.factor': 1,
      'offset.storage.replication.factor': 1,
      'status.storage.replication.factor': 1,
      'offset.storage.partitions': 1,
      'status.storage.partitions': 1,
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      listeners: `http://127.0.0.1:${rest}`,
      'plugin.path': pluginPath.join(','),
      'plugin.discovery': 'service_load',
    }),
  );
  const cp = `${cpDir}/*`;
  await run(
    jdk.java,
    [
      '-cp',
      cp,
      `-Dlog4j2.configurationFile=${log4j}`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId(),
      '-c',
      join(work, 'server.properties'),
    ],
    { what: 'formatting storage for the JVM training run' },
  );
  const dump = (jvm: ArchivedJvm): string =>
    kind === 'aot' ? `-XX:AOTCacheOutput=${file(tmp, jvm, kind)}` : `-XX:ArchiveClassesAtExit=${file(tmp, jvm, kind)}`;
  const start = (jvm: ArchivedJvm, main: string, conf: string): ChildProcess => {
    const fd = openSync(join(work, `${jvm}.log`), 'a');
    try {
      return spawn(
        jdk.java,
        [...baseJvmFlags(TRAIN_HEAP[jvm]), `-Dlog4j2.configurationFile=${log4j}`, dump(jvm), '-cp', cp, main, conf],
        { stdio: ['ignore', fd, fd] },
      );
    } finally {
      closeSync(fd);
    }
  };
  const kafka = start('kafka', 'kafka.Kafka', join(work, 'server.properties'));
  let connect: ChildProcess | undefined;
  try {
    await until('the Kafka broker', () => tcpOpen(client), kafka, join(work, 'kafka.log'));
    connect = start('connect', 'org.apache.kafka.connect.cli.ConnectDistributed', join(work, 'connect.properties'));
    const url = `http://127.0.0.1:${rest}`;
    await until(
      'the Connect worker',
      async () => (await fetch(`${url}/connectors`)).ok,
      connect,
      join(work, 'connect.log'),
    );
    // What a registration loads first: each installed connector's config definition and validation.
    const plugins = (await (await fetch(`${url}/connector-plugins`)).json()) as { class: string; type: string }[];
    for (const p of plugins) {
      const config = {
        'connector.class': p.class,
        name: 'training',
        ...(p.type === 'sink' ? { topics: 'training' } : {}),
      };
      await fetch(`${url}/connector-plugins/${encodeURIComponent(p.class)}/config/validate`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(config),
      });
    }
    connect.kill('SIGTERM');
    await exited(connect, 120_000);
    kafka.kill('SIGTERM');
    await exited(kafka, 120_000);
  } finally {
    for (const c of [connect, kafka]) if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  for (const jvm of ['kafka', 'connect'] as const) {
    if (!existsSync(file(tmp, jvm, kind)))
      throw new EnvError(
        `training the JVM archives: ${jvm} wrote no ${kind === 'aot' ? 'AOT cache' : 'archive'}`,
        `see ${join(work, `${jvm}.log`)}`,
      );
  }
  rmSync(work, { recursive: true, force: true });
}
