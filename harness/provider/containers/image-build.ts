import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join, relative } from 'node:path';
import { RECORD_SUFFIX } from '../../provision/cache-manifest.ts';
import { ensureElasticsearch } from '../../provision/elasticsearch.ts';
import { ensureEsSink, type SinkBuilder } from '../../provision/es-sink.ts';
import type { ImageName } from '../../provision/images.ts';
import { findJdk } from '../../provision/jdk.ts';
import { ensureDebezium, ensureKafka } from '../../provision/kafka.ts';
import { MANIFEST } from '../../provision/manifest.ts';
import { EnvError } from '../../util/errors.ts';
import { exec, run, tail } from '../../util/exec.ts';
import {
  BUILT_LABEL,
  BUILT_REPO,
  DEBIAN,
  layerSpecs,
  layerTags,
  type BuiltInputs,
  type BuiltLayer,
  type LayerSpec,
} from './built-images.ts';
import { ensureToxiproxy } from '../../provision/toxiproxy.ts';

/** Where the machine keeps the CA certificates update-ca-certificates adds (e.g. an intercepting proxy's). */
const LOCAL_CA_DIR = '/usr/local/share/ca-certificates';

const DOCKER_FIX =
  'install a docker CLI (apt-get install docker.io) and start an engine, ' +
  'or use --images official where a registry answers';

/** A file tree's identity: its integrity record(s) where provisioning wrote them, else a listing (path, size). */
export function artifactIdentity(path: string): string {
  const own = `${path}${RECORD_SUFFIX}`;
  const records = existsSync(own)
    ? [own]
    : statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((f) => f.endsWith(RECORD_SUFFIX))
          .sort()
          .map((f) => join(path, f))
      : [];
  if (records.length) {
    // Without mtimes: the same bytes provisioned again are the same image.
    return records
      .map((r) => {
        const rec = JSON.parse(readFileSync(r, 'utf8')) as { key: string; files: { path: string; sha256: string }[] };
        return `${basename(r)} ${rec.key}\n${rec.files.map((f) => `${f.path} ${f.sha256}`).join('\n')}`;
      })
      .join('\n');
  }
  return listing(path);
}

function listing(root: string): string {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) for (const c of readdirSync(p).sort()) walk(join(p, c));
    else out.push(`${relative(root, p)} ${st.size}`);
  };
  walk(root);
  return out.join('\n');
}

/** The JDK's release file (vendor, version) and a listing of its files. */
function jdkIdentity(home: string): string {
  const release = existsSync(join(home, 'release')) ? readFileSync(join(home, 'release'), 'utf8') : '';
  return `${release}\n${listing(home)}`;
}

function localCaCerts(dir = LOCAL_CA_DIR): Record<string, string> {
  if (!existsSync(dir)) return {};
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.crt'))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

/** Runs a command, its output to the log line by line; an EnvError with the output's tail when it fails. */
function runLogged(cmd: string, args: string[], what: string, log: (l: string) => void, env = process.env) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
      if (process.env.OUTBOX_CHAOS_BUILD_LOG) for (const l of d.toString().split('\n')) if (l.trim()) log(`    ${l}`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (err) => reject(new EnvError(`cannot run ${cmd}: ${err.message}`, DOCKER_FIX)));
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new EnvError(`${what} failed (exit ${code})`, 'OUTBOX_CHAOS_BUILD_LOG=1 shows every line', tail(out, 30)),
          ),
    );
  });
}

async function imageExists(tag: string): Promise<boolean> {
  return (await exec('docker', ['image', 'inspect', '--format', '{{.Id}}', tag])).code === 0;
}

/** The Debian tree from debootstrap, imported as an image (what the `base` layer builds on). */
async function debootstrapImage(tmpRoot: string, log: (l: string) => void): Promise<string> {
  // The packages debootstrap downloaded stay out of the image.
  const importCmd =
    `tar -C "$1" --exclude='./var/cache/apt/archives/*.deb' -c . | ` +
    `docker import --change 'LABEL ${BUILT_LABEL}=debootstrap' - "$2"`;
  const key = createHash('sha256')
    .update(`${DEBIAN.suite} ${DEBIAN.variant} ${DEBIAN.mirror} ${importCmd}`)
    .digest('hex');
  const tag = `${BUILT_REPO}/debootstrap:${key.slice(0, 16)}`;
  if (await imageExists(tag)) return tag;
  if ((await exec('sh', ['-c', 'command -v debootstrap'])).code !== 0)
    throw new EnvError(
      'the built image set needs debootstrap for its Debian base',
      'apt-get install debootstrap, or use --images official where a registry answers',
    );
  const dir = join(tmpRoot, `debootstrap-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  const t = Date.now();
  log(`debootstrap ${DEBIAN.variant} ${DEBIAN.suite} (a minute or two, once)`);
  try {
    await runLogged(
      'debootstrap',
      [`--variant=${DEBIAN.variant}`, DEBIAN.suite, dir, DEBIAN.mirror],
      'debootstrap of the Debian base',
      log,
    );
    await runLogged('sh', ['-c', importCmd, 'sh', dir, tag], 'docker import of the Debian base', log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log(`debootstrap image ${tag} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  await pruneOlder('debootstrap', tag);
  return tag;
}

/** A build context: the spec's files, its directories copied in (hard links where the file system allows). */
async function writeContext(spec: LayerSpec, dockerfile: string, dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  for (const [name, text] of Object.entries(spec.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  for (const d of spec.dirs) {
    const target = join(dir, d.name);
    const linked = await exec('cp', ['-al', d.source, target]);
    if (linked.code !== 0) {
      rmSync(target, { recursive: true, force: true });
      await run('cp', ['-a', d.source, target], { what: `copying ${d.source} into the build context` });
    }
  }
}

export interface BuiltSet {
  images: Record<ImageName, string>;
  /** Layers built now (the rest were there already). */
  built: BuiltLayer[];
  ms: number;
}

/** The inputs from the cache (provisioned if missing) and the machine (a JDK >= 21, the local CAs). */
export async function builtInputs(cache: string, sinkBuild?: SinkBuilder): Promise<BuiltInputs> {
  const jdk = findJdk(
    MANIFEST.elasticsearch.minJava,
    'the built images (Elasticsearch and Kafka)',
    'OUTBOX_CHAOS_ES_JAVA_HOME',
  );
  const kafkaLib = await ensureKafka(cache);
  const debezium = await ensureDebezium(cache);
  const esSink = await ensureEsSink(cache, sinkBuild);
  const esHome = await ensureElasticsearch(cache);
  const toxiproxyBin = await ensureToxiproxy(cache);
  return {
    jdkHome: jdk.home,
    jdkIdentity: jdkIdentity(jdk.home),
    kafkaLib,
    pluginDirs: [debezium, esSink],
    esHome,
    toxiproxyBin,
    caCerts: localCaCerts(),
    identity: artifactIdentity,
  };
}

/**
 * The built image set, building only the layers whose tag (a hash of their inputs) is not on the engine yet.
 * Needs the docker CLI (the classic builder: no buildx) and, for the first build, debootstrap.
 */
export async function ensureBuiltImages(opts: {
  cache: string;
  log: (l: string) => void;
  sinkBuild?: SinkBuilder;
}): Promise<BuiltSet> {
  const t0 = Date.now();
  const specs = layerSpecs(await builtInputs(opts.cache, opts.sinkBuild));
  const tags = layerTags(specs);
  const built: BuiltLayer[] = [];
  const tmpRoot = join(opts.cache, '.tmp');
  for (const spec of specs) {
    const tag = tags[spec.layer];
    if (await imageExists(tag)) continue;
    const from = spec.parent ? tags[spec.parent] : await debootstrapImage(tmpRoot, opts.log);
    const dockerfile = spec.dockerfile.replace(/^FROM (parent|scratch-base)$/m, `FROM ${from}`);
    const ctx = join(tmpRoot, `image-${spec.layer}-${process.pid}`);
    const t = Date.now();
    opts.log(`building ${tag}`);
    try {
      await writeContext(spec, dockerfile, ctx);
      await runLogged(
        'docker',
        ['build', '--force-rm', '--network', 'host', '-t', tag, '--label', `${BUILT_LABEL}=${spec.layer}`, ctx],
        `building image ${tag}`,
        opts.log,
        { ...process.env, DOCKER_BUILDKIT: '0' },
      );
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
    opts.log(`built ${tag} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    built.push(spec.layer);
    await pruneOlder(spec.layer, tag);
  }
  const images: Record<ImageName, string> = {
    postgres: tags.postgres,
    kafka: tags.kafka,
    connect: tags.connect,
    elasticsearch: tags.elasticsearch,
    toxiproxy: tags.toxiproxy,
  };
  return { images, built, ms: Date.now() - t0 };
}

/** Earlier builds of one layer: removed once the new one is there (best effort; one still in use stays). */
async function pruneOlder(layer: BuiltLayer | 'debootstrap', keep: string): Promise<void> {
  const r = await exec('docker', [
    'image',
    'ls',
    '--filter',
    `label=${BUILT_LABEL}=${layer}`,
    '--format',
    '{{.Repository}}:{{.Tag}}',
  ]);
  const old = r.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s && s !== keep && s.startsWith(`${BUILT_REPO}/${layer}:`));
  if (old.length) await exec('docker', ['image', 'rm', ...old]);
  // What failed builds left (untagged layers of ours).
  await exec('docker', ['image', 'prune', '--force', '--filter', `label=${BUILT_LABEL}`]);
}
