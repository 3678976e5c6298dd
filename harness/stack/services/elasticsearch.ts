import { chownSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { run } from '../../util/exec.ts';
import { stateRoot } from '../../provision/paths.ts';
import { HOST, type StackContext } from '../context.ts';
import type { ServiceDef } from '../service.ts';

/**
 * ES_HOME as the service user can read it. As root the cache sits under /root, which that user cannot
 * traverse, so the distribution is mirrored with hard links (instant, no extra disk) into the state root.
 */
async function readableHome(ctx: StackContext): Promise<string> {
  const src = ctx.artifacts.esHome;
  if (!ctx.esUser) return src;
  const dst = join(stateRoot(), 'dist', basename(src));
  // The mirror is hard links into the cache: after a re-fetch (a new .unpacked inode) it must be made again.
  const stale = existsSync(join(dst, '.unpacked')) && statSync(join(src, '.unpacked')).ino !== statSync(join(dst, '.unpacked')).ino;
  if (stale) rmSync(dst, { recursive: true, force: true });
  if (!existsSync(join(dst, '.unpacked'))) {
    mkdirSync(join(stateRoot(), 'dist'), { recursive: true });
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

export async function initElasticsearch(ctx: StackContext): Promise<string> {
  const home = await readableHome(ctx);
  const dir = join(ctx.dir, 'elasticsearch');
  const conf = join(dir, 'config');
  if (!existsSync(join(conf, 'elasticsearch.yml.harness'))) {
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
      'xpack.security.enabled': false,
      // Disks here can be nearly full; watermarks would turn indices read-only mid-test.
      'cluster.routing.allocation.disk.threshold_enabled': false,
      'node.store.allow_mmap': false,
      'action.destructive_requires_name': false,
    };
    writeFileSync(join(conf, 'elasticsearch.yml'), `${Object.entries(yml).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
    writeFileSync(join(conf, 'elasticsearch.yml.harness'), 'written by outbox-chaos\n');
    writeFileSync(join(conf, 'jvm.options.d', 'harness.options'), `-Xms${ctx.heapMb.elasticsearch}m\n-Xmx${ctx.heapMb.elasticsearch}m\n-Xlog:disable\n-Xlog:all=warning:stderr\n`);
    chownTree(dir, ctx);
  }
  return home;
}

export function elasticsearchDef(ctx: StackContext, home: string): ServiceDef {
  const dir = join(ctx.dir, 'elasticsearch');
  const logFile = join(ctx.dir, 'logs', 'elasticsearch.log');
  const url = `http://${HOST}:${ctx.ports.elasticsearch}`;
  return {
    name: 'elasticsearch',
    logFile,
    spawn: () => ({
      name: 'elasticsearch',
      cmd: join(home, 'bin', 'elasticsearch'),
      args: [],
      cwd: dir,
      env: {
        ES_JAVA_HOME: ctx.artifacts.esJdk.home,
        ES_PATH_CONF: join(dir, 'config'),
        ES_TMPDIR: join(dir, 'tmp'),
        ES_JAVA_OPTS: '',
      },
      logFile,
      stackDir: ctx.dir,
      runAs: ctx.esUser,
    }),
    ready: async () => (await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`)).ok,
    readyTimeoutMs: 120_000,
    stopSignal: 'SIGTERM',
  };
}
