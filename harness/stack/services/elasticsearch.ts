import {
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { run } from '../../util/exec.ts';
import { HOST, type StackContext } from '../context.ts';
import type { SpawnSpec } from '../processes.ts';
import type { ServiceDef } from '../service.ts';
import { loadLaunch, REPLAY_SCRIPT, serverLaunch, stageReplay, type LaunchInputs } from './es-launch.ts';

/**
 * ES_HOME as the service user can read it. As root the cache sits under /root, which that user cannot
 * traverse, so the distribution is mirrored with hard links (instant, no extra disk) into the stack's own
 * directory. One mirror per stack, not one for all: a shared one is re-made whenever a stack starts from
 * another cache (OUTBOX_CHAOS_CACHE) or after a re-fetch, under every other stack's running node, which loads
 * some of its jars lazily and then fails.
 */
async function readableHome(ctx: StackContext): Promise<string> {
  const src = ctx.artifacts.esHome;
  if (!ctx.esUser) return src;
  const dst = join(ctx.dir, 'es-home');
  // The mirror is hard links into the cache: after a re-fetch (a new .unpacked inode) it must be made again.
  const stale =
    existsSync(join(dst, '.unpacked')) && statSync(join(src, '.unpacked')).ino !== statSync(join(dst, '.unpacked')).ino;
  if (stale) rmSync(dst, { recursive: true, force: true });
  if (!existsSync(join(dst, '.unpacked'))) {
    mkdirSync(ctx.dir, { recursive: true });
    rmSync(`${dst}.tmp`, { recursive: true, force: true });
    await run('cp', ['-al', src, `${dst}.tmp`], { what: 'mirroring Elasticsearch home' });
    await run('mv', [`${dst}.tmp`, dst]);
  }
  return dst;
}

function chownTree(dir: string, ctx: StackContext): void {
  if (!ctx.esUser) return;
  chownSync(dir, ctx.esUser.uid, ctx.esUser.gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) chownTree(p, ctx);
    else chownSync(p, ctx.esUser.uid, ctx.esUser.gid);
  }
}

export async function initElasticsearch(ctx: StackContext, opts: { record?: boolean } = {}): Promise<string> {
  const home = await readableHome(ctx);
  if (ctx.artifacts.search === 'opensearch') {
    initOpenSearch(ctx, home);
    return home;
  }
  const { dir, conf } = nodeDirs(ctx);
  if (!existsSync(join(conf, 'elasticsearch.yml.harness'))) {
    writeNodeConfig(ctx, home, 'elasticsearch', { 'xpack.security.enabled': false });
    const options = [
      `-Xms${ctx.heapMb.elasticsearch}m`,
      `-Xmx${ctx.heapMb.elasticsearch}m`,
      '-Xlog:disable',
      '-Xlog:all=warning:stderr',
      ...testNodeJvmOptions(),
    ];
    writeFileSync(join(conf, 'jvm.options.d', 'harness.options'), `${options.join('\n')}\n`);
    chownTree(dir, ctx);
    // A fresh configuration: make sure its server launch is recorded before the first start replays it.
    if (directStart() && opts.record !== false) await serverLaunch(launchInputs(ctx, home), launcherEnv(ctx));
  }
  return home;
}

/**
 * JVM options for a test node, after Elasticsearch's own (jvm.options.d comes last, so these win). Its heap
 * is fixed and small, so pre-touching every page of it at start (the launcher's -XX:+AlwaysPreTouch, meant to
 * keep page faults out of a production node's latencies) only costs start-up CPU.
 * `OUTBOX_CHAOS_ES_TUNING=0` leaves Elasticsearch's options as they are: the benchmark's lever switch.
 */
export function testNodeJvmOptions(): string[] {
  if (process.env.OUTBOX_CHAOS_ES_TUNING === '0') return [];
  return ['-XX:-AlwaysPreTouch'];
}

/**
 * Whether Elasticsearch starts as its server JVM directly (the recorded launch, es-launch.ts), or through
 * bin/elasticsearch's launcher JVMs (`OUTBOX_CHAOS_ES_LAUNCHER=1`, or when no launch could be recorded).
 */
function directStart(): boolean {
  return process.env.OUTBOX_CHAOS_ES_LAUNCHER !== '1';
}

/** The environment bin/elasticsearch gets. */
function launcherEnv(ctx: StackContext): Record<string, string> {
  const dir = join(ctx.dir, 'elasticsearch');
  return {
    ES_JAVA_HOME: ctx.artifacts.esJdk.home,
    ES_PATH_CONF: join(dir, 'config'),
    ES_TMPDIR: join(dir, 'tmp'),
    ES_JAVA_OPTS: '',
  };
}

function launchInputs(ctx: StackContext, home: string): LaunchInputs {
  const dir = join(ctx.dir, 'elasticsearch');
  return {
    home,
    javaHome: ctx.artifacts.esJdk.home,
    confDir: join(dir, 'config'),
    tmpDir: join(dir, 'tmp'),
    logsDir: join(dir, 'logs'),
    runAs: ctx.esUser,
    scratch: join(dir, 'launch-record'),
    // The recording's launcher (killed once it has shown its hand) does not belong in the server's log.
    logFile: join(ctx.dir, 'logs', 'elasticsearch-launcher.log'),
    stackDir: ctx.dir,
  };
}

function spawnSpec(ctx: StackContext, home: string, launcher: boolean): SpawnSpec {
  const dir = join(ctx.dir, 'elasticsearch');
  const logFile = join(ctx.dir, 'logs', 'elasticsearch.log');
  const base = { name: 'elasticsearch' as const, logFile, stackDir: ctx.dir, runAs: ctx.esUser };
  const inputs = launchInputs(ctx, home);
  const launch = directStart() && !launcher ? loadLaunch(inputs, launcherEnv(ctx)) : undefined;
  if (!launch) return { ...base, cmd: join(home, 'bin', 'elasticsearch'), args: [], cwd: dir, env: launcherEnv(ctx) };
  const stdin = stageReplay(launch, inputs.confDir, join(dir, 'launch'), ctx.esUser);
  return {
    ...base,
    cmd: 'sh',
    args: ['-c', REPLAY_SCRIPT, 'sh', stdin, launch.envUnset.join(' '), ctx.artifacts.esJdk.java, ...launch.args],
    cwd: launch.cwd,
    env: launch.envSet,
  };
}

/**
 * OpenSearch in the search engine's place: the same directories, ports and settings, its own file names.
 * bin/opensearch starts the server in one JVM (no launcher to record), so it is started as it is.
 */
/** The search node's own directory (both engines use the same one) and its config directory. */
function nodeDirs(ctx: StackContext): { dir: string; conf: string } {
  const dir = join(ctx.dir, 'elasticsearch');
  return { dir, conf: join(dir, 'config') };
}

/**
 * A fresh node directory from the distribution's config, and its `<engine>.yml`: one node, on the stack's
 * ports, bound to loopback, plus the engine's own settings; marked as written by the harness.
 */
function writeNodeConfig(
  ctx: StackContext,
  home: string,
  engine: 'elasticsearch' | 'opensearch',
  own: Record<string, string | number | boolean>,
): void {
  const { dir, conf } = nodeDirs(ctx);
  mkdirSync(dir, { recursive: true });
  cpSync(join(home, 'config'), conf, { recursive: true });
  for (const d of ['data', 'logs', 'tmp']) mkdirSync(join(dir, d), { recursive: true });
  const yml = {
    'cluster.name': `outbox-chaos-${ctx.name}`,
    'node.name': 'es-1',
    'discovery.type': 'single-node',
    'network.host': HOST,
    'http.port': ctx.ports.elasticsearch,
    'transport.port': ctx.ports.elasticsearchTransport,
    'path.data': join(dir, 'data'),
    'path.logs': join(dir, 'logs'),
    ...own,
    // Disks here can be nearly full; watermarks would turn indices read-only mid-test.
    'cluster.routing.allocation.disk.threshold_enabled': false,
    'node.store.allow_mmap': false,
    'action.destructive_requires_name': false,
  };
  const text = Object.entries(yml)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  writeFileSync(join(conf, `${engine}.yml`), `${text}\n`);
  writeFileSync(join(conf, `${engine}.yml.harness`), 'written by outbox-chaos\n');
}

function initOpenSearch(ctx: StackContext, home: string): void {
  const { dir, conf } = nodeDirs(ctx);
  if (existsSync(join(conf, 'opensearch.yml.harness'))) return;
  writeNodeConfig(ctx, home, 'opensearch', {});
  // bin/opensearch runs from its home, which the service user cannot write: the stock options' relative paths
  // (GC log, heap dumps, crash logs) point into the node's own directory instead.
  const stock = readFileSync(join(conf, 'jvm.options'), 'utf8')
    .split('\n')
    .filter((l) => !l.includes('logs/gc.log'))
    .map((l) => l.replace('HeapDumpPath=data', `HeapDumpPath=${join(dir, 'data')}`))
    .map((l) => l.replace('ErrorFile=logs/', `ErrorFile=${join(dir, 'logs')}/`));
  writeFileSync(join(conf, 'jvm.options'), stock.join('\n'));
  const options = [
    `-Xms${ctx.heapMb.elasticsearch}m`,
    `-Xmx${ctx.heapMb.elasticsearch}m`,
    '-Xlog:all=warning:stderr',
    ...testNodeJvmOptions(),
  ];
  mkdirSync(join(conf, 'jvm.options.d'), { recursive: true });
  writeFileSync(join(conf, 'jvm.options.d', 'harness.options'), `${options.join('\n')}\n`);
  chownTree(dir, ctx);
}

function openSearchSpawn(ctx: StackContext, home: string): SpawnSpec {
  const dir = join(ctx.dir, 'elasticsearch');
  return {
    name: 'elasticsearch',
    logFile: join(ctx.dir, 'logs', 'elasticsearch.log'),
    stackDir: ctx.dir,
    runAs: ctx.esUser,
    cmd: join(home, 'bin', 'opensearch'),
    args: [],
    cwd: dir,
    env: {
      OPENSEARCH_JAVA_HOME: ctx.artifacts.esJdk.home,
      OPENSEARCH_PATH_CONF: join(dir, 'config'),
      OPENSEARCH_TMPDIR: join(dir, 'tmp'),
      OPENSEARCH_JAVA_OPTS: '',
    },
  };
}

/** `launcher`: always through bin/elasticsearch (the benchmark's stock peer). */
export function elasticsearchDef(ctx: StackContext, home: string, opts: { launcher?: boolean } = {}): ServiceDef {
  const logFile = join(ctx.dir, 'logs', 'elasticsearch.log');
  const url = `http://${HOST}:${ctx.ports.elasticsearch}`;
  return {
    name: 'elasticsearch',
    logFile,
    spawn: () =>
      ctx.artifacts.search === 'opensearch' ? openSearchSpawn(ctx, home) : spawnSpec(ctx, home, opts.launcher === true),
    ready: async () => (await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`)).ok,
    readyTimeoutMs: 120_000,
    stopSignal: 'SIGTERM',
  };
}
