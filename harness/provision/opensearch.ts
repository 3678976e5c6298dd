import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../util/exec.ts';
import { info } from '../util/log.ts';
import { ensureArtifact, type CachedArtifact } from './cache-manifest.ts';
import { EnvError } from '../util/errors.ts';
import { MANIFEST } from './manifest.ts';
import { fetchArtifact, resolveInto } from './maven.ts';
import { resolveOsMajor, type OsMajor, type OsPin } from './opensearch-versions.ts';

/** One module as the full distribution ships it: its artifact, entry class, and the module it extends. */
export interface OpenSearchModule {
  name: string;
  artifactId: string;
  classname: string;
  extends?: string;
  /** The permissions its code asks the security manager for (the distribution's plugin-security.policy). */
  permissions?: string[];
}

/** The modules real index definitions use (see pipeline/engine-modules.ts for which feature lives where). */
export const OPENSEARCH_MODULES: OpenSearchModule[] = [
  {
    name: 'lang-painless',
    artifactId: 'lang-painless',
    classname: 'org.opensearch.painless.PainlessPlugin',
    // Painless compiles scripts to classes in a loader of its own.
    permissions: ['java.lang.RuntimePermission "createClassLoader"', 'java.lang.RuntimePermission "getClassLoader"'],
  },
  {
    name: 'analysis-common',
    artifactId: 'analysis-common',
    classname: 'org.opensearch.analysis.common.CommonAnalysisPlugin',
    extends: 'lang-painless',
  },
  {
    name: 'ingest-common',
    artifactId: 'ingest-common',
    classname: 'org.opensearch.ingest.common.IngestCommonPlugin',
    extends: 'lang-painless',
  },
  {
    name: 'mapper-extras',
    artifactId: 'mapper-extras-client',
    classname: 'org.opensearch.index.mapper.MapperExtrasPlugin',
  },
  { name: 'parent-join', artifactId: 'parent-join-client', classname: 'org.opensearch.join.ParentJoinPlugin' },
  { name: 'percolator', artifactId: 'percolator-client', classname: 'org.opensearch.percolator.PercolatorPlugin' },
  {
    name: 'reindex',
    artifactId: 'reindex-client',
    classname: 'org.opensearch.index.reindex.ReindexPlugin',
    // Reindex from a remote cluster connects out.
    permissions: ['java.net.SocketPermission "*", "connect"'],
  },
];

export function opensearchArtifact(cache: string, major?: OsMajor): CachedArtifact {
  const { version, sha256, modules } = resolveOsMajor(major);
  // The modules laid in, or the zip's own (the same key as before majors could be chosen: no re-provisioning).
  const mods = modules === 'bundled' ? 'bundled' : OPENSEARCH_MODULES.map((m) => m.name).join(',');
  return {
    name: `opensearch ${version}`,
    path: join(cache, 'dist', `opensearch-${version}`),
    key: `integ-test-zip ${version} sha256:${sha256} modules ${mods} layout 1`,
  };
}

/** plugin-descriptor.properties, as the distribution's build writes it for a module. */
export function moduleDescriptor(m: OpenSearchModule, version: string): string {
  return [
    `description=${m.name} module`,
    `version=${version}`,
    `name=${m.name}`,
    `classname=${m.classname}`,
    'java.version=11',
    `opensearch.version=${version}`,
    'custom.foldername=',
    `extended.plugins=${m.extends ?? ''}`,
    'has.native.controller=false',
    '',
  ].join('\n');
}

/**
 * A module's jars: its artifact and its runtime closure, minus what the node's class path (lib/) or the
 * module it extends already holds (the same class twice is refused at start as jar hell).
 */
async function layModule(cache: string, home: string, m: OpenSearchModule, version: string): Promise<void> {
  const resolved = join(cache, 'opensearch-modules', version, m.name);
  await resolveInto(resolved, [{ groupId: 'org.opensearch.plugin', artifactId: m.artifactId, version }]);
  const taken = new Set(readdirSync(join(home, 'lib')));
  if (m.extends) for (const f of readdirSync(join(home, 'modules', m.extends))) taken.add(f);
  const dir = join(home, 'modules', m.name);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(resolved))
    if (f.endsWith('.jar') && !taken.has(f)) copyFileSync(join(resolved, f), join(dir, f));
  writeFileSync(join(dir, 'plugin-descriptor.properties'), moduleDescriptor(m, version));
  if (m.permissions)
    writeFileSync(
      join(dir, 'plugin-security.policy'),
      `grant {\n${m.permissions.map((p) => `  permission ${p};\n`).join('')}};\n`,
    );
}

/** OpenSearch with its modules, verified and assembled once into the cache. Returns its home. */
export async function ensureOpenSearch(
  cache: string,
  opts: { force?: boolean; major?: OsMajor } = {},
): Promise<string> {
  const pin = resolveOsMajor(opts.major);
  const { version, sha256 } = pin;
  const { path: home, key } = opensearchArtifact(cache, pin.major);
  await ensureArtifact(
    home,
    key,
    async (tmp) => {
      const [groupId, artifactId] = MANIFEST.opensearch.artifact.split(':') as [string, string];
      const size = pin.modules === 'bundled' ? '~155 MB' : '~60 MB';
      info(`    fetching OpenSearch ${version} integ-test-zip${modulesNote(pin)} from Maven Central (${size})`);
      const zip = await fetchArtifact({ groupId, artifactId, version, type: 'zip' }, join(cache, 'downloads'), {
        sha256,
      });
      const work = `${tmp}.unzip`;
      try {
        rmSync(work, { recursive: true, force: true });
        mkdirSync(work, { recursive: true });
        await run('unzip', ['-q', zip, '-d', work], { what: 'unzip OpenSearch', fix: 'apt-get install -y unzip' });
        const top = readdirSync(work);
        renameSync(top.length === 1 && top[0] ? join(work, top[0]) : work, tmp);
      } finally {
        rmSync(work, { recursive: true, force: true });
        rmSync(zip, { force: true });
      }
      // Extended modules first: their jars are left out of the modules that extend them.
      if (pin.modules === 'assembled') for (const m of OPENSEARCH_MODULES) await layModule(cache, tmp, m, version);
      const missing = ['transport-netty4', ...OPENSEARCH_MODULES.map((m) => m.name)].filter(
        (m) => !existsSync(join(tmp, 'modules', m)),
      );
      if (missing.length > 0)
        throw new EnvError(
          `the OpenSearch ${version} zip has no modules/${missing.join(', modules/')}`,
          'provision again (`outbox-chaos provision --force`); if it stays, choose another major with --versions',
        );
      // The stack's mirror of the home (stack/services/elasticsearch.ts) looks for this marker.
      writeFileSync(join(tmp, '.unpacked'), version);
    },
    { tmpRoot: join(cache, '.tmp'), force: opts.force },
  );
  return home;
}

function modulesNote(pin: OsPin): string {
  return pin.modules === 'bundled' ? ' (with its modules)' : ' and its modules';
}
